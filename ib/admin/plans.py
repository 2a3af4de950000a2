"""Rebate plans in the back office: plans, their versions with the rates inline, publishing, copying
a version into a new draft, and "what would this version pay" over a past period.

Drafts are edited freely; a published version is shown read-only (no change permission, and the
services refuse it again under a lock). Every write goes through `ib.services.plans`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.configuration.selectors import company_time_zone
from crm.errors import ApplicationError
from ib.models import IbProfile, RebatePlan, RebatePlanVersion, RebateRate
from ib.services.plans import (
    plan_version_copy,
    plan_version_draft_save,
    plan_version_editable,
    plan_version_publish,
)

Status = RebatePlanVersion.Status
PREVIEW_DAYS = 30


def _is_published(version: RebatePlanVersion | None) -> bool:
    return version is not None and version.pk is not None and version.status == Status.PUBLISHED


def published_message(count: int) -> str:
    return ngettext("%(count)d version published.", "%(count)d versions published.", count) % {"count": count}


def copied_message(count: int) -> str:
    return ngettext("%(count)d new draft made.", "%(count)d new drafts made.", count) % {"count": count}


class RebateRateInline(admin.TabularInline):
    model = RebateRate
    extra = 0
    fields = ["level", "account_type", "symbol_group", "symbol", "per_lot", "commission_percent", "spread_percent"]
    autocomplete_fields = ["account_type"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)


class VersionInline(admin.TabularInline):
    """A plan's versions, listed on the plan's page; each is edited on its own page."""

    model = RebatePlanVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["number", "status", "effective_from", "cap_per_lot", "minimum_payout", "published_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RebatePlan)
class RebatePlanAdmin(admin.ModelAdmin):
    list_display = ["name", "currency", "is_downline_visible", "created_at"]
    search_fields = ["name"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: RebatePlan | None = None) -> list[str]:
        # The currency of paid lines must not change under them.
        if obj is not None and obj.versions.filter(status=Status.PUBLISHED).exists():
            return ["currency", "created_at"]
        return ["created_at"]


class VersionForm(forms.ModelForm):
    class Meta:
        model = RebatePlanVersion
        fields = ["plan", "effective_from", "cap_per_lot", "minimum_payout"]

    def clean(self) -> dict[str, Any]:
        if _is_published(self.instance):
            raise forms.ValidationError(
                _("A published plan version cannot be changed; copy it as a new draft instead.")
            )
        return super().clean()


@admin.register(RebatePlanVersion)
class RebatePlanVersionAdmin(admin.ModelAdmin):
    form = VersionForm
    list_display = ["__str__", "plan", "number", "status", "effective_from", "cap_per_lot", "minimum_payout"]
    list_filter = ["status", "plan"]
    list_select_related = ["plan"]
    search_fields = ["plan__name"]
    inlines = [RebateRateInline]
    actions = ["publish_versions", "copy_versions"]
    change_form_template = "admin/ib/rebateplanversion/change_form.html"

    def get_fields(self, request: HttpRequest, obj: RebatePlanVersion | None = None) -> list[str]:
        fields = ["plan", "effective_from", "cap_per_lot", "minimum_payout"]
        return fields if obj is None else [*fields, "number", "status", "published_by", "published_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: RebatePlanVersion | None = None) -> list[str]:
        if obj is None:
            return []
        return ["plan", "number", "status", "published_by", "published_at"]

    def has_change_permission(self, request: HttpRequest, obj: RebatePlanVersion | None = None) -> bool:
        return not _is_published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RebatePlanVersion | None = None) -> bool:
        return not _is_published(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RebatePlanVersion, form: Any, change: bool) -> None:
        plan_version_draft_save(version=obj, saved_by=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        plan_version_editable(version_id=form.instance.pk)  # the rates of a draft only, under its lock
        super().save_formset(request, form, formset, change)

    # --- publishing and copying -------------------------------------------------------------------

    def _each(self, request: HttpRequest, ids: list[int], call: Any, done: Any) -> int:
        count = 0
        for version_id in sorted(ids):
            try:
                call(version_id)
            except ApplicationError as error:
                self.message_user(request, f"#{version_id}: {error.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)
        return count

    @admin.action(description=_("Publish the selected drafts"), permissions=["change"])
    def publish_versions(self, request: HttpRequest, queryset: QuerySet[RebatePlanVersion]) -> None:
        self._each(
            request,
            list(queryset.values_list("pk", flat=True)),
            lambda pk: plan_version_publish(version_id=pk, published_by=request.user),
            published_message,
        )

    @admin.action(description=_("Copy the selected versions as new drafts"), permissions=["add"])
    def copy_versions(self, request: HttpRequest, queryset: QuerySet[RebatePlanVersion]) -> None:
        self._each(
            request,
            list(queryset.values_list("pk", flat=True)),
            lambda pk: plan_version_copy(version_id=pk, copied_by=request.user),
            copied_message,
        )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name="ib_rebateplanversion_publish"),
            path("<int:pk>/copy/", wrap(self.copy_view), name="ib_rebateplanversion_copy"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="ib_rebateplanversion_preview"),
            *super().get_urls(),
        ]

    def _change_url(self, pk: int) -> str:
        return reverse("admin:ib_rebateplanversion_change", args=[pk])

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method == "POST" and self.has_change_permission(request):
            self._each(
                request,
                [pk],
                lambda version_id: plan_version_publish(version_id=version_id, published_by=request.user),
                published_message,
            )
        return HttpResponseRedirect(self._change_url(pk))

    def copy_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST" or not self.has_add_permission(request):
            return HttpResponseRedirect(self._change_url(pk))
        try:
            draft = plan_version_copy(version_id=pk, copied_by=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.WARNING)
            return HttpResponseRedirect(self._change_url(pk))
        self.message_user(request, _("A new draft was made: edit it, then publish it."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(draft.pk))

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RebatePlanVersion.objects.select_related("plan"), pk=pk)
        if not self.has_view_permission(request, version):
            return HttpResponseRedirect(reverse("admin:index"))
        form = PreviewPeriodForm(request.GET if "start" in request.GET else None)
        preview, rows = None, []
        if form.is_valid():
            start, end = form.period()
            # The engine's module, looked up when used: the page is the engine's caller, not its owner.
            plan_preview = import_module("ib.commissions.preview").plan_preview
            preview = plan_preview(version_id=version.pk, start=start, end=end)
            rows = preview_rows(preview)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("What would %(version)s pay") % {"version": version},
            "form": form,
            "preview": preview,
            "rows": rows,
            "can_publish": version.status == Status.DRAFT and self.has_change_permission(request, version),
        }
        return TemplateResponse(request, "admin/ib/rebateplanversion/preview.html", context)


class PreviewPeriodForm(forms.Form):
    """A period of closed deals, in the company's time zone; both days included."""

    start = forms.DateField(label=_("From (day)"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until (day, included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any = None) -> None:
        today = timezone.localtime(timezone.now(), company_time_zone()).date()
        super().__init__(
            data, initial={"start": today - timedelta(days=PREVIEW_DAYS), "end": today - timedelta(days=1)}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def period(self) -> tuple[datetime, datetime]:
        """[start 00:00, the day after end 00:00) in the company's time zone."""
        zone = company_time_zone()
        start: date = self.cleaned_data["start"]
        end: date = self.cleaned_data["end"] + timedelta(days=1)
        return datetime.combine(start, time.min, tzinfo=zone), datetime.combine(end, time.min, tzinfo=zone)


@dataclass(frozen=True)
class PreviewLine:
    ib: IbProfile | None
    ib_id: int
    level: int
    deals: int
    lots: Decimal
    amount: Decimal


def preview_rows(preview: Any) -> list[PreviewLine]:
    """The preview's rows with their IBs (one query), ordered by IB then level."""
    ibs = IbProfile.objects.select_related("user").in_bulk({row.ib_id for row in preview.rows})
    lines = [
        PreviewLine(ibs.get(row.ib_id), row.ib_id, row.level, row.deals, row.lots, row.amount) for row in preview.rows
    ]
    return sorted(lines, key=lambda line: (line.ib_id, line.level))
