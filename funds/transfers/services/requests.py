"""The client's side of a transfer: the request, which holds the money on the source at once and is
approved at once below the company's amount (`TransferSettings`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount
from crm.configuration.models import VerificationScene
from crm.users.models import User
from crm.verification.services import email_code_consume
from funds.money import currency_get, quantize
from funds.movements.services import movement_create_numbered, movement_event_record, value_in
from funds.selectors import exchange_rate_get
from funds.transfers.errors import TransferError, TransferErrorCode
from funds.transfers.models import Transfer
from funds.transfers.services.common import transfer_settings_get
from funds.transfers.services.decisions import approve
from funds.withdrawals import holds
from funds.withdrawals.errors import invalid_input
from funds.withdrawals.models import Hold
from funds.withdrawals.rules import (
    check_account_can_receive,
    check_account_can_send,
    email_code_check_given,
    insufficient_free_margin,
    own_trading_account,
)
from funds.withdrawals.selectors import amount_input

# The outbox calls it by this path when the platform has taken the money off the source.
ON_OUT_APPLIED = "funds.transfers.services.transfer_on_out_applied"
ORDER_NUMBER_PREFIX = "T"
USD = "USD"
SOURCE_FIELD, TARGET_FIELD = "source_trading_account_id", "target_trading_account_id"


def transfer_request(
    *,
    user: User,
    source_id: int,
    target_id: int,
    amount: Decimal,
    remark: str = "",
    email_code: str | None = None,
) -> Transfer:
    """A client moves `amount` (the source's currency) from one of their live accounts to another.

    The money is held on the source at once; the transfer is approved at once below the company's
    amount (TransferSettings), else waits for staff. Refusals (nothing changes): 400 `same_account`,
    `invalid_input`, `amount_too_small`, `account_usage_not_allowed`, `insufficient_free_margin`, the
    e-mail code's; 404 `trading_account_not_found` (also someone else's), `exchange_rate_not_found`;
    409 `trading_account_is_demo`, `trading_account_disabled`; 503 `platform_unavailable`.
    """
    if source_id == target_id:
        message = _("Choose two different trading accounts.")
        raise TransferError(code=TransferErrorCode.SAME_ACCOUNT, message=message, fields={TARGET_FIELD: [message]})
    source = own_trading_account(user=user, trading_account_id=source_id, field=SOURCE_FIELD)
    target = own_trading_account(user=user, trading_account_id=target_id, field=TARGET_FIELD)
    check_account_can_send(source, field=SOURCE_FIELD)
    check_account_can_receive(target, field=TARGET_FIELD)
    source_currency, target_currency = currency_get(source.currency), currency_get(target.currency)
    amount = amount_input(amount, source_currency, field="amount")
    rate = exchange_rate_get(from_currency=source_currency, to_currency=target_currency)
    target_amount = quantize(amount * rate, target_currency)
    if target_amount <= 0:
        message = _("The amount is too small to credit anything to the target account.")
        raise TransferError(code=TransferErrorCode.AMOUNT_TOO_SMALL, message=message, fields={"amount": [message]})
    needs_code = email_code_check_given(scene=VerificationScene.TRANSFER, code=email_code)
    reading = holds.margin_read(account=source)
    return _transfer_create(
        user=user,
        source_id=source.pk,
        target_id=target.pk,
        amount=amount,
        rate=rate,
        target_amount=target_amount,
        remark=(remark or "").strip(),
        email_code=email_code if needs_code else None,
        reading=reading,
    )


@transaction.atomic(durable=True)
def _transfer_create(
    *,
    user: User,
    source_id: int,
    target_id: int,
    amount: Decimal,
    rate: Decimal,
    target_amount: Decimal,
    remark: str,
    email_code: str | None,
    reading: holds.MarginReading,
) -> Transfer:
    # Both rows, in pk order: two transfers between the same accounts in opposite directions cannot deadlock.
    locked = {
        account.pk: account
        for account in TradingAccount.objects.select_for_update(of=("self",))
        .select_related("server", "account_type")
        .filter(user=user, pk__in=[source_id, target_id])
        .order_by("pk")
    }
    if source_id not in locked or target_id not in locked:  # gone meanwhile
        raise invalid_input({SOURCE_FIELD if source_id not in locked else TARGET_FIELD: [_("Not found.")]})
    source, target = locked[source_id], locked[target_id]
    check_account_can_send(source, field=SOURCE_FIELD)
    check_account_can_receive(target, field=TARGET_FIELD)
    if email_code is not None:
        email_code_consume(email=user.email, scene=VerificationScene.TRANSFER, code=email_code)
    available = holds.available_to_hold(account=source, reading=reading)
    if amount > available:
        raise insufficient_free_margin(available=available, currency=source.currency, field="amount")

    value = value_in(amount=amount, currency=source.currency, to_currency=USD)
    threshold = transfer_settings_get().auto_approve_below
    transfer = movement_create_numbered(
        model=Transfer,
        prefix=ORDER_NUMBER_PREFIX,
        now=timezone.now(),
        user=user,
        source=source,
        target=target,
        source_currency=currency_get(source.currency),
        amount=amount,
        rate=rate,
        target_currency=currency_get(target.currency),
        target_amount=target_amount,
        amount_usd=value,
        remark=remark[:500],
    )

    transfer.hold = holds.hold_place(
        account=source,
        amount=amount,
        purpose=Hold.Purpose.TRANSFER,
        reference=f"transfers.transfer:{transfer.pk}",
        hold_key=f"transfer:{transfer.pk}:out",
        release_key=f"transfer:{transfer.pk}:release",
        comment=f"Transfer {transfer.order_number} to {target.login}",
        by=user,
        on_done=ON_OUT_APPLIED,
    )
    transfer.save(update_fields=["hold", "updated_at"])
    movement_event_record(
        movement=transfer,
        action="requested",
        from_status="",
        actor=user,
        data={
            "amount": str(amount),
            "rate": str(rate),
            "target_amount": str(target_amount),
            "amount_usd": str(value) if value is not None else None,
            "hold_id": transfer.hold.pk,
            "operation_id": transfer.hold.hold_operation_id,
        },
    )
    # No rate to USD: the value is unknown, so staff decide.
    if value is not None and value < threshold:
        approve(transfer, transfer.hold, by=None, data={"auto_approve_below_usd": str(threshold)})
    return transfer
