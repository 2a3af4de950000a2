"""The back office of the IB network: IBs with their tree (promote, move, plan), applications (approve,
reject), attributions (reassign), rebate accounts (add). Every write goes through `ib.services`; the
rows themselves are read-only here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.portal.forms import add_service_errors
from crm.audit.services import audit_record
from crm.errors import ApplicationError
from ib import services
from ib.models import ClientAttribution, IbAncestry, IbApplication, IbProfile, RebateAccount, RebatePlan
from ib.selectors import current_ib_of

FORM_TEMPLATE = "ib/admin/form_page.html"


def raw_id(model, field: str) -> ForeignKeyRawIdWidget:
    return ForeignKeyRawIdWidget(model._meta.get_field(field).remote_field, admin.site)


class PlacementForm(forms.Form):
    parent = forms.ModelChoiceField(
        IbProfile.objects.all(),
        label=gettext_lazy("Parent IB"),
        required=False,
        widget=raw_id(IbProfile, "parent"),
        help_text=gettext_lazy("Empty: a top-level IB."),
    )
    plan = forms.ModelChoiceField(RebatePlan.objects.all(), label=gettext_lazy("Rebate plan"), required=False)


class PromoteForm(PlacementForm):
    user = forms.ModelChoiceField(
        IbProfile._meta.get_field("user").related_model.objects.all(),
        label=gettext_lazy("Client"),
        widget=raw_id(IbProfile, "user"),
    )
    field_order = ["user", "parent", "plan"]


class MoveForm(forms.Form):
    parent = PlacementForm.base_fields["parent"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(ReasonForm):
    client = forms.ModelChoiceField(
        ClientAttribution._meta.get_field("client").related_model.objects.all(),
        label=gettext_lazy("Client"),
        widget=raw_id(ClientAttribution, "client"),
    )
    ib = forms.ModelChoiceField(
        IbProfile.objects.all(), label=gettext_lazy("New IB"), widget=raw_id(ClientAttribution, "ib")
    )
    effective_from = forms.DateTimeField(
        label=gettext_lazy("Effective from"),
        help_text=gettext_lazy(
            "Deals closed from then on pay the new IB. Not before the client's last deal with commission lines."
        ),
    )
    field_order = ["client", "ib", "effective_from", "reason"]


class RebateAccountAddForm(forms.Form):
    ib = forms.ModelChoiceField(IbProfile.objects.all(), label=gettext_lazy("IB"), widget=raw_id(RebateAccount, "ib"))
    trading_account = forms.ModelChoiceField(
        RebateAccount._meta.get_field("trading_account").related_model.objects.all(),
        label=gettext_lazy("Trading account"),
        widget=raw_id(RebateAccount, "trading_account"),
        help_text=gettext_lazy("One of the IB's own active live accounts."),
    )


class FormPagesMixin:
    """A page with one form whose valid submission calls a service; its refusal shows on the form."""

    def form_page(
        self,
        request: HttpRequest,
        *,
        title: str,
        form: forms.Form,
        call: Callable[[dict[str, Any]], Any],
        done: Callable[[Any], str],
        success_url: str,
        intro: str = "",
    ) -> HttpResponse:
        if request.method == "POST" and form.is_valid():
            try:
                result = call(form.cleaned_data)
            except ApplicationError as error:
                add_service_errors(form, error)
            else:
                self.message_user(request, done(result), messages.SUCCESS)  # type: ignore[attr-defined]
                return HttpResponseRedirect(success_url)
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": title,
            "intro": intro,
            "form": form,
            "media": self.media + form.media,  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)

    def change_url(self, obj) -> str:
        return reverse(f"admin:ib_{obj._meta.model_name}_change", args=[obj.pk])

    def changelist_url(self) -> str:
        return reverse(f"admin:ib_{self.model._meta.model_name}_changelist")  # type: ignore[attr-defined]


def ib_link(profile: IbProfile | None) -> str:
    if profile is None:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("admin:ib_ibprofile_change", args=[profile.pk]), profile)


@admin.register(IbProfile)
class IbProfileAdmin(FormPagesMixin, admin.ModelAdmin):
    list_display = ["user", "referral_code", "parent", "plan", "status", "created_at"]
    list_filter = ["status", "plan"]
    list_select_related = ["user", "parent__user", "plan"]
    search_fields = ["user__email", "user__name", "referral_code"]
    fields = ["user", "referral_code", "parent", "tree", "plan", "status", "created_by", "created_at"]
    readonly_fields = ["user", "referral_code", "parent", "tree", "created_by", "created_at"]

    @admin.display(description=gettext_lazy("tree"))
    def tree(self, profile: IbProfile) -> str:
        """The upline from the top down, then the direct sub-IBs and the size of the whole downline."""
        upline = [
            row.ancestor
            for row in IbAncestry.objects.filter(ib=profile, depth__gt=0)
            .select_related("ancestor__user")
            .order_by("-depth")
        ]
        children = list(profile.children.select_related("user").order_by("pk")[:50])
        downline = IbAncestry.objects.filter(ancestor=profile, depth__gt=0).count()
        chain = format_html_join(" › ", "{}", ((ib_link(ib),) for ib in upline)) if upline else "—"
        below = format_html_join(", ", "{}", ((ib_link(child),) for child in children)) if children else "—"
        return format_html(
            "{}: {}<br>{}: {}<br>{}: {}",
            _("Upline"),
            chain,
            _("Direct sub-IBs"),
            below,
            _("Whole downline"),
            downline,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", wrap(self.move_view), name="ib_ibprofile_move"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.form_page(
            request,
            title=_("Promote a client to IB"),
            form=PromoteForm(request.POST or None),
            call=lambda data: services.ib_promote(
                user_id=data["user"].pk,
                parent_id=data["parent"].pk if data["parent"] else None,
                plan_id=data["plan"].pk if data["plan"] else None,
                promoted_by=request.user,
            ),
            done=lambda profile: (
                _("%(ib)s is an IB now, with referral code %(code)s.") % {"ib": profile, "code": profile.referral_code}
            ),
            success_url=self.changelist_url(),
        )

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        profile = get_object_or_404(IbProfile, pk=pk)
        return self.form_page(
            request,
            title=_("Move %(ib)s") % {"ib": profile},
            intro=_("The IB moves with its whole downline. Commissions already computed stay as they are."),
            form=MoveForm(request.POST or None, initial={"parent": profile.parent_id}),
            call=lambda data: services.ib_move(
                ib_id=profile.pk, parent_id=data["parent"].pk if data["parent"] else None, moved_by=request.user
            ),
            done=lambda moved: _("%(ib)s was moved.") % {"ib": moved},
            success_url=self.change_url(profile),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "move_url": reverse("admin:ib_ibprofile_move", args=[object_id])}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: IbProfile, form, change: bool) -> None:
        # Only the plan and the status are edited here: the plan through its service, the status audited.
        if "plan" in form.changed_data:
            services.ib_plan_set(ib_id=obj.pk, plan_id=obj.plan_id, set_by=request.user)
        if "status" in form.changed_data:
            IbProfile.objects.filter(pk=obj.pk).update(status=obj.status)
            audit_record(actor=request.user, action="ib.status_set", target=obj, data={"status": obj.status})


@admin.register(IbApplication)
class IbApplicationAdmin(FormPagesMixin, admin.ModelAdmin):
    list_display = ["user", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["user", "decided_by"]
    search_fields = ["user__email", "user__name"]
    readonly_fields = ["user", "message", "status", "reason", "decided_by", "decided_at", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="ib_ibapplication_approve"),
            path("<int:pk>/reject/", wrap(self.reject_view), name="ib_ibapplication_reject"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is not None and application.status == IbApplication.Status.PENDING:
            extra_context = {
                **(extra_context or {}),
                "approve_url": reverse("admin:ib_ibapplication_approve", args=[object_id]),
                "reject_url": reverse("admin:ib_ibapplication_reject", args=[object_id]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def approve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm("ib.add_ibprofile"):
            raise PermissionDenied
        application = get_object_or_404(IbApplication.objects.select_related("user"), pk=pk)
        referrer = current_ib_of(client=application.user)
        initial = {"parent": referrer.pk if referrer else None, "plan": referrer.plan_id if referrer else None}
        return self.form_page(
            request,
            title=_("Approve the IB application of %(user)s") % {"user": application.user},
            intro=_("The client becomes an IB. By default under the IB who brought them, on that IB's plan."),
            form=PlacementForm(request.POST or None, initial=initial),
            call=lambda data: services.ib_application_approve(
                application_id=application.pk,
                approved_by=request.user,
                parent_id=data["parent"].pk if data["parent"] else None,
                plan_id=data["plan"].pk if data["plan"] else None,
            ),
            done=lambda profile: (
                _("%(ib)s is an IB now, with referral code %(code)s.") % {"ib": profile, "code": profile.referral_code}
            ),
            success_url=self.changelist_url(),
        )

    def reject_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        application = get_object_or_404(IbApplication.objects.select_related("user"), pk=pk)
        return self.form_page(
            request,
            title=_("Reject the IB application of %(user)s") % {"user": application.user},
            intro=_("The client sees the reason and may apply again."),
            form=ReasonForm(request.POST or None),
            call=lambda data: services.ib_application_reject(
                application_id=application.pk, rejected_by=request.user, reason=data["reason"]
            ),
            done=lambda rejected: _("The application was rejected."),
            success_url=self.changelist_url(),
        )


@admin.register(ClientAttribution)
class ClientAttributionAdmin(FormPagesMixin, admin.ModelAdmin):
    list_display = ["client", "ib", "effective_from", "effective_to", "source", "created_by"]
    list_filter = ["source"]
    list_select_related = ["client", "ib__user", "created_by"]
    search_fields = ["client__email", "client__name", "ib__user__email", "ib__referral_code"]
    readonly_fields = [
        "client",
        "ib",
        "effective_from",
        "effective_to",
        "source",
        "created_by",
        "reason",
        "created_at",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        """Adding an attribution is reassigning the client (closing their open period, if any)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"effective_from": timezone.localtime().replace(microsecond=0)}
        if request.GET.get("client", "").isdigit():
            initial["client"] = int(request.GET["client"])
        return self.form_page(
            request,
            title=_("Reassign a client to an IB"),
            intro=_("The client's current period ends when the new one starts; commissions already computed stay."),
            form=ReassignForm(request.POST or None, initial=initial),
            call=lambda data: services.attribution_reassign(
                client_id=data["client"].pk,
                ib_id=data["ib"].pk,
                effective_from=data["effective_from"],
                reassigned_by=request.user,
                reason=data["reason"],
            ),
            done=lambda attribution: (
                _("%(client)s belongs to %(ib)s from %(time)s.")
                % {
                    "client": attribution.client,
                    "ib": attribution.ib,
                    "time": timezone.localtime(attribution.effective_from).strftime("%Y-%m-%d %H:%M:%S"),
                }
            ),
            success_url=self.changelist_url(),
        )


@admin.register(RebateAccount)
class RebateAccountAdmin(FormPagesMixin, admin.ModelAdmin):
    list_display = ["trading_account", "ib", "is_enabled", "created_at", "updated_at"]
    list_filter = ["is_enabled"]
    list_select_related = ["trading_account", "ib__user"]
    search_fields = ["ib__user__email", "ib__referral_code", "trading_account__login"]
    readonly_fields = ["ib", "trading_account", "is_enabled", "created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self.form_page(
            request,
            title=_("Add a rebate account"),
            intro=_("The IB's first rebate account is enabled at once; the IB chooses among several in the portal."),
            form=RebateAccountAddForm(request.POST or None),
            call=lambda data: services.rebate_account_add(
                ib_id=data["ib"].pk, trading_account_id=data["trading_account"].pk, added_by=request.user
            ),
            done=lambda account: (
                _("Account %(login)s receives rebates of %(ib)s.")
                % {"login": account.trading_account.login, "ib": account.ib}
            ),
            success_url=self.changelist_url(),
        )
