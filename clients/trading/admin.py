"""Back office for trading accounts: types, accounts, and the queues of applications and leverage changes.

Accounts, applications and leverage changes are written by services only: staff act on them with
actions (approve, reject with a reason, mark failed, disable/enable), which call the same services the
API does and leave an audit row each. Each page shows the object's history from the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clients.trading import services
from clients.trading.models import (
    AccountApplication,
    LeverageChange,
    TradingAccount,
    TradingAccountType,
    TradingSettings,
)
from crm.audit.selectors import audit_entries_for
from crm.configuration.admin import SingletonAdmin
from crm.errors import ApplicationError
from crm.platforms.models import PlatformOperation


@admin.register(TradingSettings)
class TradingSettingsAdmin(SingletonAdmin):
    fields = ["live_applications_auto_approve"]


def history(obj) -> str:
    """The object's audit trail, newest first, as a small table."""
    if obj is None or obj.pk is None:
        return "-"
    rows = audit_entries_for(target=obj)[:50]
    if not rows:
        return "-"
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (entry.created_at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor or _("system"), entry.action, entry.reason)
            for entry in rows
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("when"),
        _("who"),
        _("action"),
        _("reason"),
        body,
    )


def operation_link(operation: PlatformOperation | None) -> str:
    if operation is None:
        return "-"
    url = reverse("admin:platforms_platformoperation_change", args=[operation.pk])
    return format_html(
        '<a href="{}">#{} {} ({})</a>', url, operation.pk, operation.kind, operation.get_status_display()
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False)

    def __init__(self, *args, reason_required: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].help_text = _("Empty: the platform's error.")


class DecisionAdmin(admin.ModelAdmin):
    """Queues whose rows move only through services, one per action."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.fields or [] if field]

    def run_for_each(
        self, request, queryset: QuerySet, call: Callable[[int], object], done_message: Callable[[int], str]
    ) -> int:
        done = 0
        for object_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                call(object_id)
            except ApplicationError as error:
                self.message_user(request, f"#{object_id}: {error.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        return done

    def with_reason(
        self,
        request,
        queryset: QuerySet,
        *,
        action: str,
        title: str,
        reason_required: bool,
        call: Callable[[int, str], object],
        done_message: Callable[[int], str],
    ):
        """An action that asks for a reason first (an intermediate page), then calls `call(id, reason)` per row."""
        form = ReasonForm(request.POST if "apply" in request.POST else None, reason_required=reason_required)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self.run_for_each(request, queryset, lambda object_id: call(object_id, reason), done_message)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/trading/reason_form.html", context)


# --- Account types --------------------------------------------------------------------


@admin.register(TradingAccountType)
class TradingAccountTypeAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "server",
        "platform_display",
        "is_demo_display",
        "group",
        "min_deposit",
        "is_enabled",
        "position",
    ]
    list_editable = ["is_enabled", "position"]
    list_filter = ["is_enabled", "server__platform", "server__is_demo", "server"]
    list_select_related = ["server"]
    search_fields = ["name_i18n", "group"]
    filter_horizontal = ["leverages", "registration_templates"]
    fields = [
        "name_i18n",
        "server",
        "group",
        "currencies",
        "leverages",
        "min_deposit",
        "description_i18n",
        "registration_templates",
        "is_enabled",
        "position",
    ]

    @admin.display(description=_("platform"), ordering="server__platform")
    def platform_display(self, obj: TradingAccountType) -> str:
        return obj.server.platform

    @admin.display(description=_("demo"), boolean=True, ordering="server__is_demo")
    def is_demo_display(self, obj: TradingAccountType) -> bool:
        return obj.server.is_demo

    def has_delete_permission(self, request, obj=None) -> bool:
        # Accounts and applications refer to their type; disable a type instead.
        return False


# --- Accounts -------------------------------------------------------------------------


@admin.register(TradingAccount)
class TradingAccountAdmin(DecisionAdmin):
    list_display = [
        "login",
        "user",
        "account_type",
        "server",
        "leverage",
        "currency",
        "is_demo",
        "status",
        "state_balance",
        "state_equity",
        "state_refreshed_at",
        "created_at",
    ]
    list_filter = ["status", "is_demo", "server", "account_type", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["user", "account_type", "server"]
    search_fields = ["=login", "user__email", "user__name"]
    # No date_hierarchy: its drilldown runs SELECT DISTINCT date_trunc(...) over the whole table on
    # every load; the date filter gives the same periods without the scan. One COUNT, not two.
    show_full_result_count = False
    actions = ["disable_selected", "enable_selected"]
    fields = [
        "login",
        "user",
        "account_type",
        "server",
        "currency",
        "leverage",
        "is_demo",
        "status",
        "state_balance",
        "state_credit",
        "state_equity",
        "state_margin",
        "state_free_margin",
        "state_refreshed_at",
        "application_link",
        "operations_link",
        "leverage_changes_link",
        "created_at",
        "updated_at",
        "history_display",
    ]

    @admin.display(description=_("application"))
    def application_link(self, obj: TradingAccount) -> str:
        if obj.application_id is None:
            return "-"
        url = reverse("admin:trading_accountapplication_change", args=[obj.application_id])
        return format_html('<a href="{}">#{}</a>', url, obj.application_id)

    @admin.display(description=_("platform operations"))
    def operations_link(self, obj: TradingAccount) -> str:
        # Every operation about an opened account has a key starting so (see the services).
        url = (
            reverse("admin:platforms_platformoperation_changelist")
            + "?"
            + urlencode({"q": f"trading-account-{obj.pk}-"})
        )
        opening = ""
        if obj.application_id is not None:
            opening = format_html(
                ' · <a href="{}">{}</a>',
                reverse("admin:platforms_platformoperation_changelist")
                + "?"
                + urlencode({"q": f"account-application-{obj.application_id}"}),
                _("opening"),
            )
        return format_html('<a href="{}">{}</a>{}', url, _("leverage and password operations"), opening)

    @admin.display(description=_("leverage changes"))
    def leverage_changes_link(self, obj: TradingAccount) -> str:
        url = reverse("admin:trading_leveragechange_changelist") + "?" + urlencode({"account__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("leverage changes"))

    @admin.display(description=_("history"))
    def history_display(self, obj: TradingAccount) -> str:
        return history(obj)

    def _set_status(self, request, queryset, status: str, message: str):
        self.run_for_each(
            request,
            queryset,
            lambda account_id: services.trading_account_status_set(
                account_id=account_id, status=status, by=request.user
            ),
            lambda count: message % {"count": count},
        )

    @admin.action(description=_("Disable the selected accounts"), permissions=["change"])
    def disable_selected(self, request, queryset):
        self._set_status(request, queryset, TradingAccount.Status.DISABLED, _("%(count)d accounts disabled."))

    @admin.action(description=_("Enable the selected accounts"), permissions=["change"])
    def enable_selected(self, request, queryset):
        self._set_status(request, queryset, TradingAccount.Status.ACTIVE, _("%(count)d accounts enabled."))


# --- Applications ---------------------------------------------------------------------


@admin.register(AccountApplication)
class AccountApplicationAdmin(DecisionAdmin):
    list_display = [
        "id",
        "user",
        "account_type",
        "is_demo",
        "currency",
        "leverage",
        "status",
        "operation_status",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "is_demo", "server", "account_type"]
    list_select_related = ["user", "account_type", "decided_by", "operation"]
    search_fields = ["=id", "user__email", "user__name"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected", "fail_selected"]
    fields = [
        "user",
        "account_type",
        "server",
        "is_demo",
        "currency",
        "leverage",
        "status",
        "reason",
        "decided_by",
        "decided_at",
        "operation_display",
        "account_link",
        "opened_at",
        "created_at",
        "history_display",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "account_type", "server", "decided_by", "operation")

    @admin.display(description=_("platform operation"))
    def operation_status(self, obj: AccountApplication) -> str:
        return obj.operation.get_status_display() if obj.operation_id else "-"

    @admin.display(description=_("platform operation"))
    def operation_display(self, obj: AccountApplication) -> str:
        return operation_link(obj.operation)

    @admin.display(description=_("trading account"))
    def account_link(self, obj: AccountApplication) -> str:
        account = TradingAccount.objects.filter(application=obj).only("pk", "login").first()
        if account is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:trading_tradingaccount_change", args=[account.pk]), account.login
        )

    @admin.display(description=_("history"))
    def history_display(self, obj: AccountApplication) -> str:
        return history(obj)

    @admin.action(description=_("Approve the selected applications (open the accounts)"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda application_id: services.account_application_approve(
                application_id=application_id, approved_by=request.user
            ),
            lambda count: (
                ngettext(
                    "%(count)d application approved; the account is being opened.",
                    "%(count)d applications approved; the accounts are being opened.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(description=_("Reject the selected applications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self.with_reason(
            request,
            queryset,
            action="reject_selected",
            title=_("Reject account applications"),
            reason_required=True,
            call=lambda application_id, reason: services.account_application_reject(
                application_id=application_id, rejected_by=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext("%(count)d application rejected.", "%(count)d applications rejected.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Mark the selected applications failed (platform refused)…"), permissions=["change"])
    def fail_selected(self, request, queryset):
        return self.with_reason(
            request,
            queryset,
            action="fail_selected",
            title=_("Mark account applications failed"),
            reason_required=False,
            call=lambda application_id, reason: services.account_application_fail(
                application_id=application_id, failed_by=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext("%(count)d application marked failed.", "%(count)d applications marked failed.", count)
                % {"count": count}
            ),
        )


# --- Leverage changes -----------------------------------------------------------------


@admin.register(LeverageChange)
class LeverageChangeAdmin(DecisionAdmin):
    list_display = [
        "id",
        "account",
        "owner",
        "from_leverage",
        "to_leverage",
        "status",
        "remark",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "account__server"]
    list_select_related = ["account", "account__user", "decided_by"]
    search_fields = ["=id", "=account__login", "account__user__email"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected", "fail_selected"]
    fields = [
        "account",
        "requested_by",
        "from_leverage",
        "to_leverage",
        "remark",
        "status",
        "reason",
        "decided_by",
        "decided_at",
        "operation_display",
        "applied_at",
        "created_at",
        "history_display",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("account", "account__user", "requested_by", "decided_by", "operation")
        )

    @admin.display(description=_("owner"), ordering="account__user__email")
    def owner(self, obj: LeverageChange) -> str:
        return str(obj.account.user)

    @admin.display(description=_("platform operation"))
    def operation_display(self, obj: LeverageChange) -> str:
        return operation_link(obj.operation)

    @admin.display(description=_("history"))
    def history_display(self, obj: LeverageChange) -> str:
        return history(obj)

    @admin.action(description=_("Approve the selected leverage changes"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda change_id: services.leverage_change_approve(change_id=change_id, approved_by=request.user),
            lambda count: (
                ngettext("%(count)d leverage change approved.", "%(count)d leverage changes approved.", count)
                % {"count": count}
            ),
        )

    @admin.action(description=_("Reject the selected leverage changes…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self.with_reason(
            request,
            queryset,
            action="reject_selected",
            title=_("Reject leverage changes"),
            reason_required=True,
            call=lambda change_id, reason: services.leverage_change_reject(
                change_id=change_id, rejected_by=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext("%(count)d leverage change rejected.", "%(count)d leverage changes rejected.", count)
                % {"count": count}
            ),
        )

    @admin.action(
        description=_("Mark the selected leverage changes failed (platform refused)…"), permissions=["change"]
    )
    def fail_selected(self, request, queryset):
        return self.with_reason(
            request,
            queryset,
            action="fail_selected",
            title=_("Mark leverage changes failed"),
            reason_required=False,
            call=lambda change_id, reason: services.leverage_change_fail(
                change_id=change_id, failed_by=request.user, reason=reason
            ),
            done_message=lambda count: (
                ngettext("%(count)d leverage change marked failed.", "%(count)d leverage changes marked failed.", count)
                % {"count": count}
            ),
        )


# The mirror's admin lives in its sub-package, which admin autodiscovery does not look into.
from clients.trading.mirror import admin as _mirror_admin  # noqa: E402, F401
