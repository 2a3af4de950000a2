"""The client's side of a deposit: the draft, its submission with the receipt, cancelling."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.files.errors import FileNotFound
from crm.files.models import StoredFile
from crm.files.services import stored_file_from_url
from crm.users.models import User
from funds.deposits.errors import (
    DepositConflict,
    DepositError,
    DepositErrorCode,
)
from funds.deposits.models import Deposit, DepositEvent
from funds.deposits.providers import provider_for
from funds.deposits.services.common import (
    ORDER_NUMBER_PREFIX,
    Status,
    amount_input,
    check_account_usable,
    conflict,
    locked_deposit,
    own_trading_account,
    transition,
)
from funds.errors import FundsError
from funds.models import Direction
from funds.money import currency_get, quantize
from funds.movements.services import movement_create_numbered
from funds.selectors import channel_check_amount, channel_get_open, exchange_rate_get, fee_for


@transaction.atomic(durable=True)
def deposit_draft_create(
    *, user: User, trading_account_id: int, channel_id: int, deposit_amount: Decimal, remark: str = ""
) -> Deposit:
    """Start a deposit of `deposit_amount` through a channel into one of the client's live accounts.

    The amount is in the channel's currency for the account: the account's own currency when the
    channel takes it, else the channel's first deposit currency (converted at today's rate, fixed
    now). One draft per account at a time (409 `deposit_draft_exists`, with its `order_number`).
    """
    account = own_trading_account(user=user, trading_account_id=trading_account_id, for_update=True)
    if account.is_demo:
        raise conflict(
            DepositErrorCode.TRADING_ACCOUNT_IS_DEMO,
            _("Demo accounts are topped up with play money, not deposits."),
        )
    check_account_usable(account)
    channel = channel_get_open(user=user, channel_id=channel_id, direction=Direction.DEPOSIT)
    # Set by channels_open_to's Prefetch(to_attr=…), which the plugin cannot see.
    offered = channel.offered_currencies  # type: ignore[attr-defined]
    row = next((row for row in offered if row.currency.code == account.currency), None) or (
        offered[0] if offered else None
    )
    if row is None:  # channel_get_open only finds channels with a currency, but the rows may change
        raise FundsError(
            code="currency_not_supported",
            message=_("This remittance method takes no currency for deposits."),
            fields={"remittance_id": [_("No deposit currency is set up for it.")]},
        )
    currency = row.currency
    amount = amount_input(deposit_amount, currency, field="deposit_amount")
    row = channel_check_amount(
        channel=channel,
        currency=currency,
        amount=amount,
        direction=Direction.DEPOSIT,
        amount_field="deposit_amount",
        currency_field="remittance_id",
    )
    fee = fee_for(channel_currency=row, amount=amount)
    if fee >= amount:
        message = _("The amount must be above the fee of %(fee)s %(code)s.") % {"fee": fee, "code": currency.code}
        raise DepositError(
            code=DepositErrorCode.AMOUNT_NOT_ABOVE_FEE, message=message, fields={"deposit_amount": [message]}
        )
    account_currency = currency_get(account.currency)
    rate = exchange_rate_get(from_currency=currency, to_currency=account_currency)
    credited = quantize((amount - fee) * rate, account_currency)
    if credited <= 0:
        message = _("The amount is too small to credit anything.")
        raise DepositError(
            code=DepositErrorCode.AMOUNT_NOT_ABOVE_FEE, message=message, fields={"deposit_amount": [message]}
        )
    provider = provider_for(channel)
    draft = Deposit.objects.filter(trading_account=account, status=Status.DRAFT).first()
    if draft is not None:
        raise _draft_exists(draft)

    def _draft_made_meanwhile() -> None:
        draft = Deposit.objects.filter(trading_account=account, status=Status.DRAFT).first()
        if draft is not None:  # another request made the account's draft meanwhile
            raise _draft_exists(draft) from None

    now = timezone.now()
    deposit = movement_create_numbered(
        model=Deposit,
        prefix=ORDER_NUMBER_PREFIX,
        now=now,
        on_integrity_error=_draft_made_meanwhile,
        user=user,
        trading_account=account,
        channel=channel,
        currency=currency,
        deposit_amount=amount,
        fee=fee,
        account_currency=account_currency,
        rate=rate,
        credited_amount=credited,
        remark=remark.strip(),
        expires_at=now + settings.DEPOSIT_DRAFT_TTL,
    )

    payment = provider.create_payment(deposit)
    deposit.pay_type, deposit.pay_url, deposit.pay_data = payment.pay_type, payment.pay_url, payment.pay_data
    deposit.save(update_fields=["pay_type", "pay_url", "pay_data", "updated_at"])
    DepositEvent.objects.create(deposit=deposit, from_status="", to_status=Status.DRAFT, actor=user)
    audit_record(
        actor=user,
        action="deposit.draft_created",
        target=deposit,
        data={
            "deposit_amount": str(amount),
            "currency": currency.code,
            "fee": str(fee),
            "rate": str(rate),
            "credited_amount": str(credited),
        },
    )
    return deposit


def _draft_exists(draft: Deposit) -> DepositConflict:
    return conflict(
        DepositErrorCode.DEPOSIT_DRAFT_EXISTS,
        _("This trading account already has an unsubmitted deposit %(order_number)s; submit or cancel it first.")
        % {"order_number": draft.order_number},
        order_number=draft.order_number,
    )


@transaction.atomic(durable=True)
def deposit_submit(*, user: User, order_number: str, receipt_url: str) -> Deposit:
    """The client paid and hands in the receipt (a file of theirs): the draft waits for staff."""
    deposit = locked_deposit(user=user, order_number=order_number)
    if deposit.status != Status.DRAFT:
        raise conflict(DepositErrorCode.DEPOSIT_NOT_DRAFT, _("This deposit was already submitted or closed."))
    if deposit.expires_at <= timezone.now():
        raise conflict(DepositErrorCode.DEPOSIT_DRAFT_EXPIRED, _("This deposit draft has expired; start a new one."))
    try:
        receipt = stored_file_from_url(url=receipt_url, owner=user, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT)
    except FileNotFound as error:
        raise FileNotFound(
            code=error.code, message=error.message, fields={"receipt_url": [_("No file of yours has this address.")]}
        ) from None
    deposit.receipt, deposit.submitted_at = receipt, timezone.now()
    return transition(
        deposit, Status.SUBMITTED, actor=user, data={"receipt_id": receipt.pk}, fields=("receipt", "submitted_at")
    )


@transaction.atomic(durable=True)
def deposit_cancel(*, user: User, order_number: str) -> Deposit:
    """The client gives up a draft or a submitted deposit not yet decided."""
    deposit = locked_deposit(user=user, order_number=order_number)
    if deposit.status not in Deposit.OPEN:
        raise conflict(DepositErrorCode.DEPOSIT_NOT_CANCELLABLE, _("This deposit can no longer be cancelled."))
    return transition(deposit, Status.CANCELLED, actor=user)
