"""The KYC review queue: each client's data and documents, approve, reject with a reason, history."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from clients.kyc_fields import module_fields
from clients.models import ClientProfile, KycField, KycModule, KycStatus
from clients.selectors import clients_for_review, kyc_documents_of, kyc_overview
from clients.services import kyc_approve, kyc_reject
from crm.api.languages import localized, request_language
from crm.audit.selectors import audit_entries_for
from crm.errors import ApplicationError
from crm.files.services import private_url


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("The client reads it in the message centre and the e-mail, and fixes the application."),
    )


def _label(texts: dict, fallback: str) -> str:
    return localized(texts, request_language()) or fallback


@admin.register(ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):
    """Read-only profiles; decisions go through `kyc_approve` / `kyc_reject` (audited, notified)."""

    change_form_template = "clients/admin/kyc_change_form.html"
    list_display = [
        "user",
        "user_name",
        "kyc_status",
        "kyc_way",
        "kyc_submitted_at",
        "kyc_approved_at",
        "reviewed_by",
        "registration_template",
    ]
    list_filter = ["kyc_status", "kyc_way", "registration_template", ("kyc_submitted_at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "user__name", "invite_code"]
    list_select_related = ["user", "reviewed_by", "registration_template"]
    # No date_hierarchy: its drilldown runs SELECT DISTINCT date_trunc(...) over the whole table on
    # every load; the date filter gives the same periods without the scan. One COUNT, not two.
    show_full_result_count = False
    actions = ["approve_selected", "reject_selected"]
    fieldsets = [
        (
            _("Client"),
            {"fields": ["user", "user_name", "user_country", "invite_code", "registration_template", "created_at"]},
        ),
        (
            _("KYC"),
            {
                "fields": [
                    "kyc_status",
                    "kyc_way",
                    "kyc_reason",
                    "kyc_submitted_at",
                    "kyc_approved_at",
                    "reviewed_by",
                    "reviewed_at",
                ]
            },
        ),
        (_("Application"), {"fields": ["modules_display", "documents_display", "questionnaire_display"]}),
        (_("Electronic verification"), {"fields": ["e_verify_display"]}),
        (_("History"), {"fields": ["history_display"]}),
    ]
    readonly_fields = [
        "user",
        "user_name",
        "user_country",
        "invite_code",
        "registration_template",
        "created_at",
        "kyc_status",
        "kyc_way",
        "kyc_reason",
        "kyc_submitted_at",
        "kyc_approved_at",
        "reviewed_by",
        "reviewed_at",
        "modules_display",
        "documents_display",
        "questionnaire_display",
        "e_verify_display",
        "history_display",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClientProfile]:
        return clients_for_review()

    # --- Permissions: profiles are made by registration and changed by the KYC services only. ---

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("clients.change_clientprofile")

    # --- Columns and read-only displays -------------------------------------------------------

    @admin.display(description=pgettext_lazy("person", "name"), ordering="user__name")
    def user_name(self, profile: ClientProfile) -> str:
        return profile.user.name

    @admin.display(description=_("country"))
    def user_country(self, profile: ClientProfile) -> str:
        return str(profile.user.country or "—")

    @admin.display(description=_("modules"))
    def modules_display(self, profile: ClientProfile) -> str:
        overview = kyc_overview(profile=profile)
        if not overview.modules:
            return "—"
        rows = {row.module: row for row in overview.template.modules.all()} if overview.template else {}
        blocks = []
        for module in overview.modules:
            submission = overview.submissions.get(module)
            header = format_html(
                "<h3 style='margin:12px 0 4px'>{} — {}{}</h3>",
                KycModule(module).label,
                KycStatus(overview.module_status(module)).label,
                format_html(" ({})", submission.reason) if submission is not None and submission.reason else "",
            )
            if submission is None:
                blocks.append(header + format_html("<p>{}</p>", _("Nothing entered.")))
                continue
            specs = {spec.name: spec for spec in module_fields(rows[module])} if module in rows else {}
            lines = []
            for name, value in submission.data.items():
                spec = specs.get(name)
                label = _label(spec.label_i18n, name) if spec is not None else name
                if spec is not None and spec.kind == KycField.Kind.FILE:
                    stored_file = overview.files.get(value) if isinstance(value, int) else None
                    shown = (
                        format_html(
                            '<a href="{}" target="_blank" rel="noopener">{}</a>',
                            private_url(stored_file=stored_file),
                            stored_file,
                        )
                        if stored_file is not None
                        else "—"
                    )
                else:
                    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                lines.append((label, shown))
            table = format_html(
                "<table><tbody>{}</tbody></table>",
                format_html_join("", "<tr><th style='width:30%'>{}</th><td>{}</td></tr>", lines),
            )
            blocks.append(header + table)
        return format_html_join("", "{}", ((block,) for block in blocks))

    @admin.display(description=_("documents"))
    def documents_display(self, profile: ClientProfile) -> str:
        documents = kyc_documents_of(profile=profile)
        if not documents:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li>{} · {}: <a href="{}" target="_blank" rel="noopener">{}</a> ({}, {} bytes)</li>',
                (
                    (
                        KycModule(document.module).label,
                        _label(document.field.label_i18n, document.field.name) if document.field else "",
                        private_url(stored_file=document.stored_file),
                        document.stored_file,
                        document.stored_file.content_type,
                        document.stored_file.size,
                    )
                    for document in documents
                ),
            ),
        )

    @admin.display(description=_("questionnaire"))
    def questionnaire_display(self, profile: ClientProfile) -> str:
        record = profile.questionnaire_answers.select_related("questionnaire").first()
        if record is None:
            return "—"
        rows = [
            (
                _label(item.get("question_i18n", {}), str(item.get("question_id"))),
                ", ".join(_label(label, "") for label in item.get("options_i18n", [])) or item.get("text", ""),
                item.get("score", 0),
            )
            for item in record.answers
        ]
        return format_html(
            "<p>{} · {}: {}</p><table><tbody>{}</tbody></table>",
            record.questionnaire,
            _("score"),
            record.score,
            format_html_join("", "<tr><th style='width:40%'>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("sessions"))
    def e_verify_display(self, profile: ClientProfile) -> str:
        sessions = profile.e_verify_sessions.all()[:20]
        if not sessions:
            return "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("created"),
            _("provider"),
            _("status"),
            _("reason"),
            _("session"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        session.created_at,
                        session.provider,
                        session.get_status_display(),
                        session.reason_msg or session.reason_code,
                        session.session_id,
                    )
                    for session in sessions
                ),
            ),
        )

    @admin.display(description=_("history"))
    def history_display(self, profile: ClientProfile) -> str:
        entries = audit_entries_for(target=profile)[:100]
        if not entries:
            return "—"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((entry.created_at, entry.actor or _("system"), entry.action, entry.reason) for entry in entries),
            ),
        )

    # --- Decisions ----------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", view(self.approve_view), name="clients_clientprofile_approve"),
            path("<int:pk>/reject/", view(self.reject_view), name="clients_clientprofile_reject"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        extra_context = {**(extra_context or {}), "can_review": self.has_review_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide(self, request: HttpRequest, profiles, decide) -> int:
        done = 0
        for profile in profiles:
            try:
                decide(profile)
            except ApplicationError as error:
                self.message_user(request, f"{profile}: {error.message}", messages.WARNING)
            else:
                done += 1
        return done

    def _change_url(self, profile: ClientProfile) -> str:
        return reverse("admin:clients_clientprofile_change", args=[profile.pk])

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        profile = get_object_or_404(ClientProfile.objects.select_related("user"), pk=pk)
        if request.method == "POST":
            if self._decide(request, [profile], lambda row: kyc_approve(profile=row, by=request.user)):
                self.message_user(
                    request, _("The application of %(client)s is approved.") % {"client": profile}, messages.SUCCESS
                )
            return HttpResponseRedirect(self._change_url(profile))
        return self._decision_page(request, profiles=[profile], form=None, approve=True)

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        profile = get_object_or_404(ClientProfile.objects.select_related("user"), pk=pk)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            if self._decide(request, [profile], lambda row: kyc_reject(profile=row, by=request.user, reason=reason)):
                self.message_user(
                    request, _("The application of %(client)s is disapproved.") % {"client": profile}, messages.SUCCESS
                )
            return HttpResponseRedirect(self._change_url(profile))
        return self._decision_page(request, profiles=[profile], form=form, approve=False)

    def _decision_page(
        self, request: HttpRequest, *, profiles, form, approve: bool, action: str = ""
    ) -> TemplateResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Approve KYC applications") if approve else _("Disapprove KYC applications"),
            "profiles": profiles,
            "form": form,
            "approve": approve,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "clients/admin/kyc_decision.html", context)

    @admin.action(description=_("Approve the selected pending applications"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ClientProfile]) -> None:
        approved = self._decide(
            request, queryset.order_by("pk"), lambda profile: kyc_approve(profile=profile, by=request.user)
        )
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d application approved.", "%(count)d applications approved.", approved)
                % {"count": approved},
                messages.SUCCESS,
            )

    @admin.action(description=_("Disapprove the selected pending applications…"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ClientProfile]) -> TemplateResponse | None:
        profiles = list(queryset.order_by("pk"))
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            rejected = self._decide(
                request, profiles, lambda profile: kyc_reject(profile=profile, by=request.user, reason=reason)
            )
            if rejected:
                self.message_user(
                    request,
                    ngettext("%(count)d application disapproved.", "%(count)d applications disapproved.", rejected)
                    % {"count": rejected},
                    messages.SUCCESS,
                )
            return None
        return self._decision_page(request, profiles=profiles, form=form, approve=False, action="reject_selected")
