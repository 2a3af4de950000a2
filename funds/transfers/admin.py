"""Back office of transfers: the queue, approve / reject on one or many, exports; the settings.

Transfers move only through services. The page shows both legs (the hold, the in leg's journal and
platform operation) and every step.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from crm.configuration.admin import SingletonAdmin
from funds.money import format_amount, format_decimal
from funds.movements.admin import (
    AmountFilter,
    MovementEventInline,
    MovementQueueAdmin,
    admin_link,
    approve_decision,
    operation_link,
    reject_decision,
)
from funds.movements.exports import Columns, local_time
from funds.transfers import services
from funds.transfers.models import Transfer, TransferEvent, TransferSettings


@admin.register(TransferSettings)
class TransferSettingsAdmin(SingletonAdmin):
    fields = ["auto_approve_below"]


class TransferEventInline(MovementEventInline):
    model = TransferEvent


EXPORT_COLUMNS: Columns = [
    ("order_number", lambda t: t.order_number),
    ("created_at", lambda t: local_time(t.created_at)),
    ("status", lambda t: t.status),
    ("client_email", lambda t: t.user.email),
    ("client_name", lambda t: t.user.name),
    ("source_login", lambda t: t.source.login),
    ("target_login", lambda t: t.target.login),
    ("currency", lambda t: t.source_currency.code),
    ("amount", lambda t: format_amount(t.amount, t.source_currency)),
    ("rate", lambda t: format_decimal(t.rate)),
    ("target_currency", lambda t: t.target_currency.code),
    ("target_amount", lambda t: format_amount(t.target_amount, t.target_currency)),
    ("amount_usd", lambda t: format_amount(t.amount_usd, "USD") if t.amount_usd is not None else ""),
    ("auto_approved", lambda t: "yes" if t.is_auto_approved else "no"),
    ("decided_by", lambda t: t.decided_by.email if t.decided_by_id else ""),
    ("decided_at", lambda t: local_time(t.decided_at)),
    ("completed_at", lambda t: local_time(t.completed_at)),
    ("reason", lambda t: t.reason),
    ("remark", lambda t: t.remark),
]


@admin.register(Transfer)
class TransferAdmin(MovementQueueAdmin):
    decisions = (
        approve_decision(
            description=_("Approve the selected pending transfers"),
            call=lambda pk, by: services.transfer_approve(transfer_id=pk, by=by),
            done=lambda count: (
                ngettext("%(count)d transfer approved.", "%(count)d transfers approved.", count) % {"count": count}
            ),
        ),
        reject_decision(
            description=_("Reject the selected pending transfers…"),
            call=lambda pk, by, reason: services.transfer_reject(transfer_id=pk, by=by, reason=reason),
            done=lambda count: (
                ngettext("%(count)d transfer rejected.", "%(count)d transfers rejected.", count) % {"count": count}
            ),
            title=_("Reject transfers"),
            intro=_("These transfers will be rejected and their money given back; the client is told the reason:"),
        ),
    )
    export_columns = EXPORT_COLUMNS
    export_prefix = "transfers"
    list_display = [
        "order_number",
        "created_at",
        "user",
        "source_login",
        "target_login",
        "amount_display",
        "target_amount_display",
        "status",
        "is_auto_approved",
        "decided_by",
    ]
    list_filter = [
        "status",
        "is_auto_approved",
        AmountFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["order_number", "user__email", "user__name", "=source__login", "=target__login"]
    list_select_related = ["user", "source", "target", "source_currency", "target_currency", "decided_by"]
    inlines = [TransferEventInline]
    change_form_template = "admin/transfers/transfer/change_form.html"
    fields = [
        "order_number",
        "status",
        "user",
        "source",
        "target",
        "source_currency",
        "amount",
        "rate",
        "target_currency",
        "target_amount",
        "amount_usd",
        "remark",
        "is_auto_approved",
        "decided_by",
        "decided_at",
        "reason",
        "hold_link",
        "in_journal_link",
        "in_operation_link",
        "created_at",
        "completed_at",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("transfer account", "from"), ordering="source__login")
    def source_login(self, transfer: Transfer) -> int:
        return transfer.source.login

    @admin.display(description=pgettext_lazy("transfer account", "to"), ordering="target__login")
    def target_login(self, transfer: Transfer) -> int:
        return transfer.target.login

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, transfer: Transfer) -> str:
        return f"{format_amount(transfer.amount, transfer.source_currency)} {transfer.source_currency.code}"

    @admin.display(description=_("target amount"), ordering="target_amount")
    def target_amount_display(self, transfer: Transfer) -> str:
        return f"{format_amount(transfer.target_amount, transfer.target_currency)} {transfer.target_currency.code}"

    @admin.display(description=_("hold (out leg)"))
    def hold_link(self, transfer: Transfer) -> str:
        return admin_link(transfer.hold, "withdrawals_hold_change")

    @admin.display(description=_("in leg journal"))
    def in_journal_link(self, transfer: Transfer) -> str:
        return admin_link(transfer.in_journal, "ledger_journal_change")

    @admin.display(description=_("in leg operation"))
    def in_operation_link(self, transfer: Transfer) -> str:
        return operation_link(transfer.in_operation)
