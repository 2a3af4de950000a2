"""The client's side of a withdrawal: the request (the money is held at once, see the package) and
cancelling a request nobody approved yet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.configuration.models import FundingMethod, VerificationScene
from crm.users.models import User
from crm.verification.services import email_code_consume
from funds.errors import FundsNotFound
from funds.models import INFO_FIELDS, Channel, PayoutAccount
from funds.money import format_amount, format_decimal
from funds.movements.services import movement_create_numbered, movement_event_record, movement_transition
from funds.payout_info import payout_info_clean
from funds.selectors import payout_account_get
from funds.withdrawals import holds
from funds.withdrawals.errors import WithdrawalErrorCode, invalid_input
from funds.withdrawals.models import Hold, Withdrawal
from funds.withdrawals.rules import (
    check_account_can_send,
    email_code_check_given,
    insufficient_free_margin,
    own_trading_account,
)
from funds.withdrawals.selectors import WithdrawalQuote, withdrawal_quote
from funds.withdrawals.services.common import Status, conflict, locked, locked_hold

# The outbox calls it by this path when the platform has taken the money.
ON_HOLD_APPLIED = "funds.withdrawals.services.withdrawal_on_hold_applied"
ORDER_NUMBER_PREFIX = "W"


def _check_quote(quote: WithdrawalQuote, *, fee: Decimal, exchange_rate: Decimal, remittance_amount: Decimal) -> None:
    """409 `quote_changed` unless the client saw what the server computes; `fields` carry the fresh values."""
    fresh = {
        "fee": format_amount(quote.fee, quote.currency),
        "exchange_rate": format_decimal(quote.exchange_rate),
        "remittance_amount": format_amount(quote.remittance_amount, quote.currency),
    }
    if (fee, exchange_rate, remittance_amount) != (quote.fee, quote.exchange_rate, quote.remittance_amount):
        raise conflict(
            WithdrawalErrorCode.QUOTE_CHANGED,
            _("The fee or the exchange rate has changed; check the new amounts and confirm again."),
            fields={name: [value] for name, value in fresh.items()},
        )


def _payout_details(
    *, user: User, channel: Channel, details: dict[str, Any], payout_account_id: int | None
) -> tuple[PayoutAccount | None, dict[str, Any]]:
    """The bank account or wallet to pay, checked for the channel's method (and network): given in the
    method's `*_info` object, or one of the client's payout accounts."""
    method = channel.method
    own = INFO_FIELDS[method]
    label = FundingMethod(method).label
    others = [field for field in INFO_FIELDS.values() if field != own and details.get(field)]
    if others:
        message = _("This remittance method pays by %(method)s: give %(field)s only.") % {
            "method": label,
            "field": own,
        }
        raise invalid_input({field: [message] for field in others})
    payout_account = None
    if payout_account_id is not None:
        if details.get(own):
            raise invalid_input({own: [_("Give the details or a payout account, not both.")]})
        try:
            payout_account = payout_account_get(owner=user, account_id=payout_account_id)
        except FundsNotFound as error:
            raise FundsNotFound(
                code=error.code,
                message=error.message,
                fields={"payout_account_id": [_("You have no payout account with this id.")]},
            ) from None
        if payout_account.payment_method != method:
            raise invalid_input(
                {"payout_account_id": [_("This payout account is not for %(method)s.") % {"method": label}]}
            )
        info, network = getattr(payout_account, own), payout_account.network
    else:
        info, network = payout_info_clean(payment_method=method, info=details.get(own))
    if method == FundingMethod.CRYPTOCURRENCY and (network is None or network.pk != channel.network_id):
        field = "payout_account_id" if payout_account is not None else f"{own}.network"
        raise invalid_input({field: [_("This channel pays out on %(network)s.") % {"network": channel.network}]})
    return payout_account, dict(info or {})


def withdrawal_request(
    *,
    user: User,
    trading_account_id: int,
    channel_id: int,
    method: str,
    currency: str,
    withdrawal_amount: Decimal,
    fee: Decimal,
    exchange_rate: Decimal,
    remittance_amount: Decimal,
    payout_details: dict[str, Any] | None = None,
    payout_account_id: int | None = None,
    remark: str = "",
    email_code: str | None = None,
) -> Withdrawal:
    """A client asks to withdraw `withdrawal_amount` (the account's currency) through a channel; the money
    is held at once (see the module). `payout_details` holds the `*_info` objects as the API got them.

    Refusals (nothing changes): 404 `trading_account_not_found` (also someone else's),
    `channel_not_found`, `currency_not_found`, `exchange_rate_not_found`, `payout_account_not_found`;
    400 `invalid_input`, `currency_not_supported`, `amount_below_minimum` / `amount_above_maximum`
    (the channel's limits, in its currency), `amount_not_above_fee`, `account_usage_not_allowed`,
    `insufficient_free_margin`, the e-mail code's; 409 `quote_changed`, `trading_account_is_demo`,
    `trading_account_disabled`; 503 `platform_unavailable`.
    """
    account = own_trading_account(user=user, trading_account_id=trading_account_id)
    check_account_can_send(account, field="trading_account_id")
    quote = withdrawal_quote(
        user=user, account=account, channel_id=channel_id, currency=currency, withdrawal_amount=withdrawal_amount
    )
    if method != quote.channel.method:
        raise invalid_input(
            {"method": [_("This remittance method is %(method)s.") % {"method": quote.channel.get_method_display()}]}
        )
    _check_quote(quote, fee=fee, exchange_rate=exchange_rate, remittance_amount=remittance_amount)
    payout_account, details = _payout_details(
        user=user, channel=quote.channel, details=payout_details or {}, payout_account_id=payout_account_id
    )
    needs_code = email_code_check_given(scene=VerificationScene.WITHDRAWAL, code=email_code)
    # Read the platform outside the transaction; the lock below makes the figures safe to use.
    reading = holds.margin_read(account=account)
    return _withdrawal_create(
        user=user,
        account_id=account.pk,
        quote=quote,
        payout_account=payout_account,
        details=details,
        remark=(remark or "").strip(),
        email_code=email_code if needs_code else None,
        reading=reading,
    )


@transaction.atomic(durable=True)
def _withdrawal_create(
    *,
    user: User,
    account_id: int,
    quote: WithdrawalQuote,
    payout_account: PayoutAccount | None,
    details: dict[str, Any],
    remark: str,
    email_code: str | None,
    reading: holds.MarginReading,
) -> Withdrawal:
    account = own_trading_account(user=user, trading_account_id=account_id, for_update=True)
    check_account_can_send(account, field="trading_account_id")
    if email_code is not None:
        # Spent in this transaction: a refusal below leaves the code usable.
        email_code_consume(email=user.email, scene=VerificationScene.WITHDRAWAL, code=email_code)
    amount = quote.withdrawal_amount
    available = holds.available_to_hold(account=account, reading=reading)
    if amount > available:
        raise insufficient_free_margin(available=available, currency=account.currency, field="withdrawal_amount")

    withdrawal = movement_create_numbered(
        model=Withdrawal,
        prefix=ORDER_NUMBER_PREFIX,
        now=timezone.now(),
        user=user,
        trading_account=account,
        channel=quote.channel,
        method=quote.channel.method,
        account_currency=quote.account_currency,
        withdrawal_amount=amount,
        currency=quote.currency,
        exchange_rate=quote.exchange_rate,
        fee=quote.fee,
        remittance_amount=quote.remittance_amount,
        payout_account=payout_account,
        payout_details=details,
        remark=remark[:500],
    )

    withdrawal.hold = holds.hold_place(
        account=account,
        amount=amount,
        purpose=Hold.Purpose.WITHDRAWAL,
        reference=f"withdrawals.withdrawal:{withdrawal.pk}",
        hold_key=f"withdrawal:{withdrawal.pk}:hold",
        release_key=f"withdrawal:{withdrawal.pk}:release",
        comment=f"Withdrawal {withdrawal.order_number}",
        by=user,
        on_done=ON_HOLD_APPLIED,
    )
    withdrawal.save(update_fields=["hold", "updated_at"])
    movement_event_record(
        movement=withdrawal,
        action="requested",
        from_status="",
        actor=user,
        data={
            "withdrawal_amount": str(amount),
            "account_currency": quote.account_currency.code,
            "currency": quote.currency.code,
            "exchange_rate": str(quote.exchange_rate),
            "fee": str(quote.fee),
            "remittance_amount": str(quote.remittance_amount),
            "hold_id": withdrawal.hold.pk,
            "operation_id": withdrawal.hold.hold_operation_id,
        },
    )
    return withdrawal


@transaction.atomic(durable=True)
def withdrawal_cancel(*, user: User, order_number: str) -> Withdrawal:
    """The client takes back a withdrawal nobody approved yet; the hold is given back (409 otherwise)."""
    withdrawal = locked(user=user, order_number=order_number)
    if withdrawal.status != Status.PENDING:
        raise conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_PENDING, _("Only a pending withdrawal can be cancelled."))
    holds.hold_release(hold=locked_hold(withdrawal), by=user)
    withdrawal.closed_at = timezone.now()
    return movement_transition(
        movement=withdrawal, to_status=Status.CANCELLED, action="cancelled", actor=user, fields=("closed_at",)
    )
