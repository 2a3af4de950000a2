"""Back office of withdrawals: the queue, decisions (approve, second approval, reject, mark paid, mark
failed) on one or many withdrawals, exports; holds (read-only); account type usages; the settings.

Withdrawals move only through services, called from the queue's actions and from a withdrawal's
page. Money fields are read-only; the page shows the payout details, the hold with its journals and
platform operations, and every step.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.api.languages import DEFAULT_API_LANGUAGE, localized
from crm.configuration.admin import SingletonAdmin
from funds.money import format_amount, format_decimal
from funds.withdrawals import services
from funds.withdrawals.backoffice import (
    Columns,
    DecisionsMixin,
    PaymentReferenceForm,
    ReasonForm,
    csv_response,
    export_name,
    export_rows,
    local_time,
    xlsx_response,
)
from funds.withdrawals.models import FundingUsage, Hold, Withdrawal, WithdrawalEvent, WithdrawalSettings


@admin.register(WithdrawalSettings)
class WithdrawalSettingsAdmin(SingletonAdmin):
    fields = ["second_approval_threshold"]


@admin.register(FundingUsage)
class FundingUsageAdmin(admin.ModelAdmin):
    list_display = ["account_type", "usage", "updated_at"]
    list_filter = ["usage"]
    list_select_related = ["account_type"]
    autocomplete_fields = ["account_type"]
    fields = ["account_type", "usage"]


def admin_link(obj, view: str) -> str:
    if obj is None:
        return "-"
    return format_html('<a href="{}">#{}</a>', reverse(f"admin:{view}", args=[obj.pk]), obj.pk)


def operation_link(operation) -> str:
    if operation is None:
        return "-"
    return format_html(
        '<a href="{}">#{} ({})</a>',
        reverse("admin:platforms_platformoperation_change", args=[operation.pk]),
        operation.pk,
        operation.get_status_display(),
    )


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = [
        "hold_key",
        "trading_account",
        "amount_display",
        "purpose",
        "status",
        "platform_status",
        "created_at",
    ]
    list_filter = ["status", "platform_status", "purpose"]
    search_fields = ["hold_key", "reference", "=trading_account__login", "trading_account__user__email"]
    list_select_related = ["trading_account"]
    date_hierarchy = "created_at"
    fields = [
        "trading_account",
        "amount",
        "currency",
        "purpose",
        "reference",
        "status",
        "platform_status",
        "hold_key",
        "hold_journal_link",
        "hold_operation_link",
        "release_key",
        "release_journal_link",
        "release_operation_link",
        "created_at",
        "closed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, hold: Hold) -> str:
        return f"{format_amount(hold.amount, hold.currency)} {hold.currency}"

    @admin.display(description=_("hold journal"))
    def hold_journal_link(self, hold: Hold) -> str:
        return admin_link(hold.hold_journal, "ledger_journal_change")

    @admin.display(description=_("hold operation"))
    def hold_operation_link(self, hold: Hold) -> str:
        return operation_link(hold.hold_operation)

    @admin.display(description=_("release journal"))
    def release_journal_link(self, hold: Hold) -> str:
        return admin_link(hold.release_journal, "ledger_journal_change")

    @admin.display(description=_("release operation"))
    def release_operation_link(self, hold: Hold) -> str:
        return operation_link(hold.release_operation)


class AmountFilter(admin.SimpleListFilter):
    """The withdrawal amount (the trading account's currency), in bands."""

    title = _("amount")
    parameter_name = "amount"
    BANDS = {
        "lt1000": (None, Decimal("1000")),
        "1000-10000": (Decimal("1000"), Decimal("10000")),
        "10000-100000": (Decimal("10000"), Decimal("100000")),
        "gte100000": (Decimal("100000"), None),
    }
    field = "withdrawal_amount"

    def lookups(self, request, model_admin):
        return [
            ("lt1000", _("below 1,000")),
            ("1000-10000", _("1,000 to 10,000")),
            ("10000-100000", _("10,000 to 100,000")),
            ("gte100000", _("100,000 and above")),
        ]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": low})
        if high is not None:
            queryset = queryset.filter(**{f"{self.field}__lt": high})
        return queryset


class WithdrawalEventInline(admin.TabularInline):
    model = WithdrawalEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


EXPORT_COLUMNS: Columns = [
    ("order_number", lambda w: w.order_number),
    ("created_at", lambda w: local_time(w.created_at)),
    ("status", lambda w: w.status),
    ("client_email", lambda w: w.user.email),
    ("client_name", lambda w: w.user.name),
    ("login", lambda w: w.trading_account.login),
    ("channel", lambda w: localized(w.channel.name_i18n, DEFAULT_API_LANGUAGE)),
    ("method", lambda w: w.method),
    ("account_currency", lambda w: w.account_currency.code),
    ("withdrawal_amount", lambda w: format_amount(w.withdrawal_amount, w.account_currency)),
    ("currency", lambda w: w.currency.code),
    ("exchange_rate", lambda w: format_decimal(w.exchange_rate)),
    ("fee", lambda w: format_amount(w.fee, w.currency)),
    ("remittance_amount", lambda w: format_amount(w.remittance_amount, w.currency)),
    ("payout_details", lambda w: json.dumps(w.payout_details, ensure_ascii=False, sort_keys=True)),
    ("amount_usd", lambda w: format_amount(w.amount_usd, "USD") if w.amount_usd is not None else ""),
    ("requires_second_approval", lambda w: "yes" if w.requires_second_approval else "no"),
    ("approved_by", lambda w: w.decided_by.email if w.decided_by_id else ""),
    ("decided_at", lambda w: local_time(w.decided_at)),
    ("second_approver", lambda w: w.second_approver.email if w.second_approver_id else ""),
    ("second_approved_at", lambda w: local_time(w.second_approved_at)),
    ("paid_by", lambda w: w.paid_by.email if w.paid_by_id else ""),
    ("paid_at", lambda w: local_time(w.paid_at)),
    ("payment_reference", lambda w: w.payment_reference),
    ("reason", lambda w: w.reason),
    ("remark", lambda w: w.remark),
]


@admin.register(Withdrawal)
class WithdrawalAdmin(DecisionsMixin, admin.ModelAdmin):
    decide_permission = "withdrawals.change_withdrawal"
    list_display = [
        "order_number",
        "created_at",
        "user",
        "login",
        "channel",
        "amount_display",
        "remittance_display",
        "status",
        "approvals_display",
        "hold_display",
        "payment_reference",
    ]
    list_filter = [
        "status",
        "channel",
        "currency",
        "method",
        AmountFilter,
        "requires_second_approval",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["order_number", "user__email", "user__name", "=trading_account__login", "payment_reference"]
    # No date_hierarchy: its drilldown runs SELECT DISTINCT date_trunc(...) over the whole table on
    # every load; the date filter gives the same periods without the scan. One COUNT, not two.
    show_full_result_count = False
    list_select_related = [
        "user",
        "trading_account",
        "channel",
        "currency",
        "account_currency",
        "decided_by",
        "second_approver",
        "paid_by",
        "hold",
    ]
    actions = ["approve_selected", "reject_selected", "mark_paid_selected", "fail_selected"]
    inlines = [WithdrawalEventInline]
    change_list_template = "admin/withdrawals/withdrawal/change_list.html"
    change_form_template = "admin/withdrawals/withdrawal/change_form.html"
    fields = [
        "order_number",
        "status",
        "user",
        "trading_account",
        "channel",
        "method",
        "account_currency",
        "withdrawal_amount",
        "currency",
        "exchange_rate",
        "fee",
        "remittance_amount",
        "payout_account",
        "payout_details_display",
        "remark",
        "amount_usd",
        "requires_second_approval",
        "decided_by",
        "decided_at",
        "second_approver",
        "second_approved_at",
        "payment_reference",
        "paid_by",
        "paid_at",
        "reason",
        "hold_link",
        "payout_journal_link",
        "created_at",
        "closed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # --- columns ------------------------------------------------------------------------------------

    @admin.display(description=_("login"), ordering="trading_account__login")
    def login(self, withdrawal: Withdrawal) -> int:
        return withdrawal.trading_account.login

    @admin.display(description=_("withdrawal amount"), ordering="withdrawal_amount")
    def amount_display(self, withdrawal: Withdrawal) -> str:
        code = withdrawal.account_currency.code
        return f"{format_amount(withdrawal.withdrawal_amount, withdrawal.account_currency)} {code}"

    @admin.display(description=_("remittance amount"), ordering="remittance_amount")
    def remittance_display(self, withdrawal: Withdrawal) -> str:
        return f"{format_amount(withdrawal.remittance_amount, withdrawal.currency)} {withdrawal.currency.code}"

    @admin.display(description=_("approvals"))
    def approvals_display(self, withdrawal: Withdrawal) -> str:
        names = [user.email for user in (withdrawal.decided_by, withdrawal.second_approver) if user is not None]
        if withdrawal.status == Withdrawal.Status.PENDING:
            return "-"
        if withdrawal.awaits_second_approval:
            return f"{names[0]} + ?" if names else "?"
        return " + ".join(names) or "-"

    @admin.display(description=_("hold"))
    def hold_display(self, withdrawal: Withdrawal) -> str:
        hold = withdrawal.hold
        return f"{hold.get_status_display()} / {hold.get_platform_status_display()}" if hold else "-"

    @admin.display(description=_("payout details"))
    def payout_details_display(self, withdrawal: Withdrawal) -> str:
        return format_html("<pre>{}</pre>", json.dumps(withdrawal.payout_details, indent=2, ensure_ascii=False))

    @admin.display(description=_("hold"))
    def hold_link(self, withdrawal: Withdrawal) -> str:
        return admin_link(withdrawal.hold, "withdrawals_hold_change")

    @admin.display(description=_("payout journal"))
    def payout_journal_link(self, withdrawal: Withdrawal) -> str:
        return admin_link(withdrawal.payout_journal, "ledger_journal_change")

    # --- decisions ----------------------------------------------------------------------------------

    def _approve(self, request, ids) -> int:
        return self.run_for_each(
            request,
            ids,
            lambda pk: services.withdrawal_approve(withdrawal_id=pk, by=request.user),
            lambda count: (
                ngettext("%(count)d approval recorded.", "%(count)d approvals recorded.", count) % {"count": count}
            ),
        )

    def _reject(self, request, queryset, action):
        return self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject withdrawals"),
            intro=_("These withdrawals will be rejected and their money given back; the client is told the reason:"),
            button=_("Reject"),
            action=action,
            call=lambda pk, data: services.withdrawal_reject(withdrawal_id=pk, by=request.user, reason=data["reason"]),
            done=lambda count: (
                ngettext("%(count)d withdrawal rejected.", "%(count)d withdrawals rejected.", count) % {"count": count}
            ),
        )

    def _fail(self, request, queryset, action):
        return self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Mark withdrawals failed"),
            intro=_("These withdrawals could not be paid; their money is given back and the client told why:"),
            button=_("Mark failed"),
            action=action,
            call=lambda pk, data: services.withdrawal_fail(withdrawal_id=pk, by=request.user, reason=data["reason"]),
            done=lambda count: (
                ngettext("%(count)d withdrawal marked failed.", "%(count)d withdrawals marked failed.", count)
                % {"count": count}
            ),
        )

    def _pay(self, request, queryset, action):
        return self.form_page(
            request,
            queryset,
            form_class=PaymentReferenceForm,
            title=_("Mark withdrawals paid"),
            intro=_("These approved withdrawals were paid out with this reference:"),
            button=_("Mark paid"),
            action=action,
            call=lambda pk, data: services.withdrawal_mark_paid(
                withdrawal_id=pk, by=request.user, payment_reference=data["payment_reference"]
            ),
            done=lambda count: (
                ngettext("%(count)d withdrawal paid.", "%(count)d withdrawals paid.", count) % {"count": count}
            ),
        )

    @admin.action(
        description=_("Approve (or give the second approval to) the selected withdrawals"), permissions=["decide"]
    )
    def approve_selected(self, request, queryset: QuerySet[Withdrawal]) -> None:
        self._approve(request, queryset.values_list("pk", flat=True))

    @admin.action(description=_("Reject the selected withdrawals…"), permissions=["decide"])
    def reject_selected(self, request, queryset: QuerySet[Withdrawal]):
        return self._reject(request, queryset, "reject_selected")

    @admin.action(description=_("Mark the selected withdrawals paid…"), permissions=["decide"])
    def mark_paid_selected(self, request, queryset: QuerySet[Withdrawal]):
        return self._pay(request, queryset, "mark_paid_selected")

    @admin.action(description=_("Mark the selected withdrawals failed…"), permissions=["decide"])
    def fail_selected(self, request, queryset: QuerySet[Withdrawal]):
        return self._fail(request, queryset, "fail_selected")

    # --- one withdrawal's buttons, and exports --------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/approve/", wrap(self.approve_view), name="withdrawals_withdrawal_approve"),
            path("<int:object_id>/reject/", wrap(self.reject_view), name="withdrawals_withdrawal_reject"),
            path("<int:object_id>/pay/", wrap(self.pay_view), name="withdrawals_withdrawal_pay"),
            path("<int:object_id>/fail/", wrap(self.fail_view), name="withdrawals_withdrawal_fail"),
            path("export/csv/", wrap(self.export_csv_view), name="withdrawals_withdrawal_export_csv"),
            path("export/xlsx/", wrap(self.export_xlsx_view), name="withdrawals_withdrawal_export_xlsx"),
            *super().get_urls(),
        ]

    def _change_url(self, object_id: int) -> str:
        return reverse("admin:withdrawals_withdrawal_change", args=[object_id])

    def approve_view(self, request: HttpRequest, object_id: int):
        if request.method == "POST" and self.has_decide_permission(request):
            self._approve(request, [object_id])
        return HttpResponseRedirect(self._change_url(object_id))

    def _one(self, request: HttpRequest, object_id: int, page):
        if not self.has_decide_permission(request):
            return HttpResponseRedirect(self._change_url(object_id))
        get_object_or_404(Withdrawal, pk=object_id)
        response = page(request, Withdrawal.objects.filter(pk=object_id), None)
        return response or HttpResponseRedirect(self._change_url(object_id))

    def reject_view(self, request: HttpRequest, object_id: int):
        return self._one(request, object_id, self._reject)

    def pay_view(self, request: HttpRequest, object_id: int):
        return self._one(request, object_id, self._pay)

    def fail_view(self, request: HttpRequest, object_id: int):
        return self._one(request, object_id, self._fail)

    def _filtered(self, request: HttpRequest) -> QuerySet[Withdrawal]:
        """The queue as the changelist shows it, with the same filters and search."""
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request).select_related(*self.list_select_related).order_by("-id")

    def export_csv_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return csv_response(export_rows(self._filtered(request), EXPORT_COLUMNS), export_name("withdrawals", "csv"))

    def export_xlsx_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        rows = export_rows(self._filtered(request), EXPORT_COLUMNS)
        return xlsx_response(rows, export_name("withdrawals", "xlsx"), "withdrawals")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
