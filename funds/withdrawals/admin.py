"""Back office of withdrawals: the queue, decisions (approve, second approval, reject, mark paid, mark
failed) on one or many withdrawals, exports; holds (read-only); account type usages; the settings.

Withdrawals move only through services, called from the queue's actions and from a withdrawal's
page. Money fields are read-only; the page shows the payout details, the hold with its journals and
platform operations, and every step.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.api.languages import DEFAULT_API_LANGUAGE, localized
from crm.configuration.admin import SingletonAdmin
from funds.money import format_amount, format_decimal
from funds.movements.admin import (
    AmountFilter,
    Decision,
    MovementEventInline,
    MovementQueueAdmin,
    PaymentReferenceForm,
    ReasonForm,
    admin_link,
    approve_decision,
    operation_link,
    reject_decision,
)
from funds.movements.exports import Columns, local_time
from funds.withdrawals import services
from funds.withdrawals.models import FundingUsage, Hold, Withdrawal, WithdrawalEvent, WithdrawalSettings
from funds.work_queues import APPROVAL_STAGES


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


class WithdrawalAmountFilter(AmountFilter):
    """The withdrawal amount (the trading account's currency), in bands."""

    field = "withdrawal_amount"


class ApprovalStageFilter(admin.SimpleListFilter):
    """Approved withdrawals by what they wait for: a second approver, or the payment."""

    title = _("approval stage")
    parameter_name = "approval"

    def lookups(self, request, model_admin):
        return [("second_approval", _("waiting for a second approver")), ("to_pay", _("ready to pay out"))]

    def queryset(self, request, queryset):
        condition = APPROVAL_STAGES.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class WithdrawalEventInline(MovementEventInline):
    model = WithdrawalEvent


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
class WithdrawalAdmin(MovementQueueAdmin):
    decisions = (
        approve_decision(
            description=_("Approve (or give the second approval to) the selected withdrawals"),
            call=lambda pk, by: services.withdrawal_approve(withdrawal_id=pk, by=by),
            done=lambda count: (
                ngettext("%(count)d approval recorded.", "%(count)d approvals recorded.", count) % {"count": count}
            ),
        ),
        reject_decision(
            description=_("Reject the selected withdrawals…"),
            call=lambda pk, by, reason: services.withdrawal_reject(withdrawal_id=pk, by=by, reason=reason),
            done=lambda count: (
                ngettext("%(count)d withdrawal rejected.", "%(count)d withdrawals rejected.", count) % {"count": count}
            ),
            title=_("Reject withdrawals"),
            intro=_("These withdrawals will be rejected and their money given back; the client is told the reason:"),
        ),
        Decision(
            name="pay",
            action="mark_paid_selected",
            description=_("Mark the selected withdrawals paid…"),
            call=lambda pk, by, data: services.withdrawal_mark_paid(
                withdrawal_id=pk, by=by, payment_reference=data["payment_reference"]
            ),
            done=lambda count: (
                ngettext("%(count)d withdrawal paid.", "%(count)d withdrawals paid.", count) % {"count": count}
            ),
            form_class=PaymentReferenceForm,
            title=_("Mark withdrawals paid"),
            intro=_("These approved withdrawals were paid out with this reference:"),
            button=_("Mark paid"),
        ),
        Decision(
            name="fail",
            action="fail_selected",
            description=_("Mark the selected withdrawals failed…"),
            call=lambda pk, by, data: services.withdrawal_fail(withdrawal_id=pk, by=by, reason=data["reason"]),
            done=lambda count: (
                ngettext("%(count)d withdrawal marked failed.", "%(count)d withdrawals marked failed.", count)
                % {"count": count}
            ),
            form_class=ReasonForm,
            title=_("Mark withdrawals failed"),
            intro=_("These withdrawals could not be paid; their money is given back and the client told why:"),
            button=_("Mark failed"),
        ),
    )
    export_columns = EXPORT_COLUMNS
    export_prefix = "withdrawals"
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
        WithdrawalAmountFilter,
        ApprovalStageFilter,
        "requires_second_approval",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["order_number", "user__email", "user__name", "=trading_account__login", "payment_reference"]
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
    inlines = [WithdrawalEventInline]
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
