"""Back office of deposits: the review queue, decisions and exports.

Deposits move only through services: staff approve or reject (with a reason) from the queue (one or
many at once) or from a deposit's page, calling the same services as everything else. Money fields
are read-only; the page shows the receipt, the ledger journal, the platform operation and every
transition. The queue exports, as it is filtered, to CSV or Excel.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.api.languages import DEFAULT_API_LANGUAGE, localized
from crm.files.services import private_url
from funds.deposits import services
from funds.deposits.models import Deposit, DepositEvent
from funds.money import format_amount, format_decimal
from funds.movements.admin import (
    MovementEventInline,
    MovementQueueAdmin,
    admin_link,
    approve_decision,
    reject_decision,
)
from funds.movements.admin import operation_link as platform_operation_link
from funds.movements.exports import Columns, local_time

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")

EXPORT_COLUMNS: Columns = [
    ("order_number", lambda d: d.order_number),
    ("created_at", lambda d: local_time(d.created_at)),
    ("status", lambda d: d.status),
    ("client_email", lambda d: d.user.email),
    ("client_name", lambda d: d.user.name),
    ("login", lambda d: d.trading_account.login),
    ("channel", lambda d: localized(d.channel.name_i18n, DEFAULT_API_LANGUAGE)),
    ("method", lambda d: d.channel.method),
    ("currency", lambda d: d.currency.code),
    ("deposit_amount", lambda d: format_amount(d.deposit_amount, d.currency)),
    ("fee", lambda d: format_amount(d.fee, d.currency)),
    ("account_currency", lambda d: d.account_currency.code),
    ("rate", lambda d: format_decimal(d.rate)),
    ("credited_amount", lambda d: format_amount(d.credited_amount, d.account_currency)),
    ("submitted_at", lambda d: local_time(d.submitted_at)),
    ("decided_by", lambda d: d.decided_by.email if d.decided_by_id else ""),
    ("decided_at", lambda d: local_time(d.decided_at)),
    ("credited_at", lambda d: local_time(d.credited_at)),
    ("payment_reference", lambda d: d.payment_reference),
    ("reason", lambda d: d.reason),
    ("remark", lambda d: d.remark),
]


class DepositEventInline(MovementEventInline):
    model = DepositEvent
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]


@admin.register(Deposit)
class DepositAdmin(MovementQueueAdmin):
    decisions = (
        approve_decision(
            description=_("Approve the selected submitted deposits"),
            call=lambda pk, by: services.deposit_approve(deposit_id=pk, by=by),
            done=lambda count: (
                ngettext("%(count)d deposit approved.", "%(count)d deposits approved.", count) % {"count": count}
            ),
        ),
        reject_decision(
            description=_("Reject the selected submitted deposits…"),
            call=lambda pk, by, reason: services.deposit_reject(deposit_id=pk, by=by, reason=reason),
            done=lambda count: (
                ngettext("%(count)d deposit rejected.", "%(count)d deposits rejected.", count) % {"count": count}
            ),
            title=_("Reject deposits"),
            intro=_("These deposits will be rejected; the client is told the reason:"),
        ),
    )
    export_columns = EXPORT_COLUMNS
    export_prefix = "deposits"
    list_display = [
        "order_number",
        "created_at",
        "user",
        "login",
        "channel",
        "amount_display",
        "fee_display",
        "credited_display",
        "status",
        "receipt_link",
        "decided_by",
    ]
    list_filter = ["status", "channel", "currency", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["order_number", "user__email", "=trading_account__login", "payment_reference"]
    list_select_related = [
        "user",
        "trading_account",
        "channel",
        "currency",
        "account_currency",
        "decided_by",
        "receipt",
    ]
    inlines = [DepositEventInline]
    change_form_template = "admin/deposits/deposit/change_form.html"
    fields = [
        "order_number",
        "status",
        "user",
        "trading_account",
        "channel",
        "currency",
        "deposit_amount",
        "fee",
        "account_currency",
        "rate",
        "credited_amount",
        "receipt_preview",
        "remark",
        "reason",
        "pay_type",
        "pay_url",
        "pay_data_display",
        "payment_reference",
        "decided_by",
        "decided_at",
        "journal_link",
        "operation_link",
        "expires_at",
        "created_at",
        "submitted_at",
        "credited_at",
    ]
    readonly_fields = fields

    # --- columns ------------------------------------------------------------------------------------

    @admin.display(description=_("login"), ordering="trading_account__login")
    def login(self, deposit: Deposit) -> int:
        return deposit.trading_account.login

    @admin.display(description=_("deposit amount"), ordering="deposit_amount")
    def amount_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.deposit_amount, deposit.currency)} {deposit.currency.code}"

    @admin.display(description=_("fee"))
    def fee_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.fee, deposit.currency)} {deposit.currency.code}"

    @admin.display(description=_("amount credited"), ordering="credited_amount")
    def credited_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.credited_amount, deposit.account_currency)} {deposit.account_currency.code}"

    @admin.display(description=_("receipt"))
    def receipt_link(self, deposit: Deposit) -> str:
        if not deposit.receipt_id:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', private_url(stored_file=deposit.receipt), _("view")
        )

    @admin.display(description=_("receipt"))
    def receipt_preview(self, deposit: Deposit) -> str:
        if not deposit.receipt_id:
            return "-"
        url = private_url(stored_file=deposit.receipt)
        if deposit.receipt.content_type in IMAGE_TYPES:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">'
                '<img src="{}" alt="{}" style="max-width:480px;max-height:480px"></a>',
                url,
                url,
                deposit.receipt.original_name,
            )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, deposit.receipt)

    @admin.display(description=_("payment data"))
    def pay_data_display(self, deposit: Deposit) -> str:
        try:
            text = json.dumps(json.loads(deposit.pay_data), indent=2, ensure_ascii=False)
        except ValueError:
            text = deposit.pay_data
        return format_html("<pre>{}</pre>", text)

    @admin.display(description=_("journal"))
    def journal_link(self, deposit: Deposit) -> str:
        return admin_link(deposit.journal, "ledger_journal_change")

    @admin.display(description=_("platform operation"))
    def operation_link(self, deposit: Deposit) -> str:
        return platform_operation_link(deposit.operation)

    def decision_line(self, deposit: Deposit) -> str:
        return (
            f"{deposit.order_number} — {deposit.user} — {deposit.deposit_amount} {deposit.currency} "
            f"({deposit.get_status_display()})"
        )
