"""Deposit workflows and demo top-ups: one function per use case (see `funds.deposits.models`).

Every transition locks the deposit (`select_for_update`), checks its state (409 otherwise), writes a
`DepositEvent` and an audit row in the same transaction. Approval is the one that moves money: in
one transaction it posts the ledger journal and enqueues the platform balance operation (idempotency
key `deposit:<id>`), so twenty staff clicking at once credit the deposit once, and a worker dying
half-way leaves an operation the outbox finishes later — never a second credit.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount
from crm.audit.services import audit_record
from crm.configuration.selectors import company_time_zone
from crm.files.errors import FileNotFound
from crm.files.models import StoredFile
from crm.files.services import stored_file_from_url
from crm.inbox.services import message_send
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.deposits.errors import (
    DepositConflict,
    DepositError,
    DepositErrorCode,
    DepositNotFound,
    deposit_not_found,
    trading_account_not_found,
)
from funds.deposits.models import Deposit, DepositEvent
from funds.deposits.providers import CallbackRequest, PaymentConfirmation, provider_for, provider_named
from funds.deposits.selectors import demo_topups_in_flight
from funds.errors import FundsError
from funds.ledger.models import Journal
from funds.ledger.services import (
    broker_bank_account,
    client_trading_account,
    demo_funding_account,
    fee_income_account,
    fx_conversion_account,
    journal_post,
)
from funds.models import Direction
from funds.money import amount_check, currency_get, format_amount, quantize
from funds.selectors import channel_check_amount, channel_get_open, exchange_rate_get, fee_for

logger = logging.getLogger(__name__)

Status = Deposit.Status
ON_CREDITED = "funds.deposits.services.deposit_on_credited"
ORDER_NUMBER_ATTEMPTS = 5
EXPIRY_BATCH = 500
SENDER = "Finance"


# --- helpers ----------------------------------------------------------------------------------------


def new_order_number(now: datetime | None = None) -> str:
    """`D` + the company's date + 6 random digits: `D20261123482913`."""
    day = timezone.localtime(now or timezone.now(), company_time_zone())
    return f"D{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def _conflict(code: str, message: str, **extra: Any) -> DepositConflict:
    return DepositConflict(code=code, message=message, extra=extra)


def _transition(
    deposit: Deposit,
    to_status: str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Deposit:
    """Move a locked deposit to `to_status`, saving `fields` too, with its event and audit row."""
    from_status = deposit.status
    deposit.status = to_status
    deposit.save(update_fields=["status", *fields, "updated_at"])
    DepositEvent.objects.create(
        deposit=deposit, from_status=from_status, to_status=to_status, actor=actor, reason=reason, data=data or {}
    )
    audit_record(
        actor=actor,
        action=f"deposit.{to_status}",
        target=deposit,
        reason=reason,
        data={"from": from_status, **(data or {})},
    )
    return deposit


def _locked(*, user: User | None = None, order_number: str | None = None, deposit_id: int | None = None) -> Deposit:
    deposits = Deposit.objects.select_for_update()
    if user is not None:
        deposits = deposits.filter(user=user)
    deposit = (
        deposits.filter(pk=deposit_id).first()
        if deposit_id is not None
        else deposits.filter(order_number=(order_number or "").strip()).first()
    )
    if deposit is None:
        raise deposit_not_found()
    return deposit


def _own_trading_account(*, user: User, trading_account_id: int, for_update: bool = False) -> TradingAccount:
    accounts = TradingAccount.objects.filter(user=user)
    if for_update:
        accounts = accounts.select_for_update(of=("self",))
    account = accounts.select_related("server", "account_type").filter(pk=trading_account_id).first()
    if account is None:
        raise trading_account_not_found()
    return account


def _amount_input(amount: Decimal, currency, *, field: str) -> Decimal:
    """An amount a client typed, at `currency`'s precision; 400 `invalid_input` on `field` when it is not
    positive or has more decimals than the currency (the same refusal as a malformed amount)."""
    try:
        return amount_check(amount, currency, field=field)
    except FundsError as error:
        raise FundsError(
            code="invalid_input", message=_("Some fields are missing or invalid."), fields=error.fields
        ) from None


def _check_account_usable(account: TradingAccount) -> None:
    if not account.is_active:
        raise _conflict(DepositErrorCode.TRADING_ACCOUNT_DISABLED, _("This trading account is disabled."))


# --- the client's draft ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def deposit_draft_create(
    *, user: User, trading_account_id: int, channel_id: int, deposit_amount: Decimal, remark: str = ""
) -> Deposit:
    """Start a deposit of `deposit_amount` through a channel into one of the client's live accounts.

    The amount is in the channel's currency for the account: the account's own currency when the
    channel takes it, else the channel's first deposit currency (converted at today's rate, fixed
    now). One draft per account at a time (409 `deposit_draft_exists`, with its `order_number`).
    """
    account = _own_trading_account(user=user, trading_account_id=trading_account_id, for_update=True)
    if account.is_demo:
        raise _conflict(
            DepositErrorCode.TRADING_ACCOUNT_IS_DEMO,
            _("Demo accounts are topped up with play money, not deposits."),
        )
    _check_account_usable(account)
    channel = channel_get_open(user=user, channel_id=channel_id, direction=Direction.DEPOSIT)
    offered = channel.offered_currencies
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
    amount = _amount_input(deposit_amount, currency, field="deposit_amount")
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

    now = timezone.now()
    for _attempt in range(ORDER_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                deposit = Deposit.objects.create(
                    order_number=new_order_number(now),
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
            break
        except IntegrityError:
            draft = Deposit.objects.filter(trading_account=account, status=Status.DRAFT).first()
            if draft is not None:  # another request made the account's draft meanwhile
                raise _draft_exists(draft) from None
    else:
        raise RuntimeError("Could not find a free order number.")

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
    return _conflict(
        DepositErrorCode.DEPOSIT_DRAFT_EXISTS,
        _("This trading account already has an unsubmitted deposit %(order_number)s; submit or cancel it first.")
        % {"order_number": draft.order_number},
        order_number=draft.order_number,
    )


@transaction.atomic(durable=True)
def deposit_submit(*, user: User, order_number: str, receipt_url: str) -> Deposit:
    """The client paid and hands in the receipt (a file of theirs): the draft waits for staff."""
    deposit = _locked(user=user, order_number=order_number)
    if deposit.status != Status.DRAFT:
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_DRAFT, _("This deposit was already submitted or closed."))
    if deposit.expires_at <= timezone.now():
        raise _conflict(DepositErrorCode.DEPOSIT_DRAFT_EXPIRED, _("This deposit draft has expired; start a new one."))
    try:
        receipt = stored_file_from_url(url=receipt_url, owner=user, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT)
    except FileNotFound as error:
        raise FileNotFound(
            code=error.code, message=error.message, fields={"receipt_url": [_("No file of yours has this address.")]}
        ) from None
    deposit.receipt, deposit.submitted_at = receipt, timezone.now()
    return _transition(
        deposit, Status.SUBMITTED, actor=user, data={"receipt_id": receipt.pk}, fields=("receipt", "submitted_at")
    )


@transaction.atomic(durable=True)
def deposit_cancel(*, user: User, order_number: str) -> Deposit:
    """The client gives up a draft or a submitted deposit not yet decided."""
    deposit = _locked(user=user, order_number=order_number)
    if deposit.status not in Deposit.OPEN:
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_CANCELLABLE, _("This deposit can no longer be cancelled."))
    return _transition(deposit, Status.CANCELLED, actor=user)


# --- decisions ----------------------------------------------------------------------------------------


def _journal_lines(deposit: Deposit) -> list[tuple[Any, Decimal]]:
    """broker_bank Dr deposit amount; fee_income Cr fee; (fx legs); client_trading Cr credited amount."""
    currency = deposit.currency.code
    net = deposit.deposit_amount - deposit.fee
    client = client_trading_account(trading_account=deposit.trading_account)
    lines = [(broker_bank_account(channel=deposit.channel, currency=currency), deposit.deposit_amount)]
    if deposit.fee:
        lines.append((fee_income_account(currency=currency), -deposit.fee))
    if currency != client.currency:  # the fx legs: the net amount changes currency
        lines += [
            (fx_conversion_account(currency=currency), -net),
            (fx_conversion_account(currency=client.currency), deposit.credited_amount),
        ]
    lines.append((client, -deposit.credited_amount))
    return lines


def _approve(deposit: Deposit, *, by: User | None, data: dict[str, Any] | None = None) -> Deposit:
    """Book the locked deposit and ask the platform to credit it, in the caller's transaction."""
    account = deposit.trading_account
    journal = journal_post(
        kind=Journal.Kind.DEPOSIT,
        lines=_journal_lines(deposit),
        reference=deposit,
        memo=f"Deposit {deposit.order_number}",
        by=by,
        idempotency_key=f"deposit:{deposit.pk}",
    )
    operation = platform_operation_enqueue(
        server=account.server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={
            "login": account.login,
            "kind": str(BalanceKind.DEPOSIT),
            "amount": deposit.credited_amount,
            "comment": f"Deposit {deposit.order_number}",
        },
        idempotency_key=f"deposit:{deposit.pk}",
        on_done=ON_CREDITED,
    )
    deposit.journal, deposit.operation = journal, operation
    deposit.decided_by, deposit.decided_at = by, timezone.now()
    return _transition(
        deposit,
        Status.APPROVED,
        actor=by,
        data={"journal_id": journal.pk, "operation_id": operation.pk, **(data or {})},
        fields=("journal", "operation", "decided_by", "decided_at", "payment_reference"),
    )


@transaction.atomic(durable=True)
def deposit_approve(*, deposit_id: int, by: User) -> Deposit:
    """Staff approve a submitted deposit: the ledger books it and the platform credits it (409 otherwise)."""
    deposit = _locked(deposit_id=deposit_id)
    if deposit.status != Status.SUBMITTED:
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_SUBMITTED, _("Only a submitted deposit can be approved."))
    return _approve(deposit, by=by)


@transaction.atomic(durable=True)
def deposit_reject(*, deposit_id: int, by: User, reason: str) -> Deposit:
    """Staff refuse a submitted deposit, saying why (the client is told)."""
    reason = (reason or "").strip()
    if not reason:
        raise DepositError(
            code="invalid_input",
            message=_("Some fields are missing or invalid."),
            fields={"reason": [_("Say why the deposit is rejected.")]},
        )
    deposit = _locked(deposit_id=deposit_id)
    if deposit.status != Status.SUBMITTED:
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_SUBMITTED, _("Only a submitted deposit can be rejected."))
    deposit.reason, deposit.decided_by, deposit.decided_at = reason, by, timezone.now()
    _transition(deposit, Status.REJECTED, actor=by, reason=reason, fields=("reason", "decided_by", "decided_at"))
    _tell_client(
        deposit,
        title={"zh-CN": "入金申请被拒绝", "en-US": "Deposit rejected"},
        content={
            "zh-CN": f"您的入金申请 {deposit.order_number} 未通过审核：{reason}",
            "en-US": f"Your deposit {deposit.order_number} was rejected: {reason}",
        },
    )
    return deposit


@transaction.atomic(durable=True)
def deposit_payment_confirm(*, provider_name: str, confirmation: PaymentConfirmation) -> Deposit:
    """An online provider confirms a payment: the deposit is approved without staff, once.

    The same confirmation again returns the deposit as it is. 404 for an unknown order (or one of
    another provider), 409 `payment_mismatch` for another amount or currency, 409
    `deposit_not_payable` for a deposit closed meanwhile (cancelled, expired, rejected).
    """
    deposit = _locked(order_number=confirmation.order_number)
    if deposit.channel.provider != provider_name:
        raise deposit_not_found()
    if deposit.payment_reference:
        if deposit.payment_reference == confirmation.payment_reference:
            return deposit
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_PAYABLE, _("This deposit was already paid."))
    if confirmation.currency != deposit.currency.code or confirmation.amount != deposit.deposit_amount:
        raise _conflict(
            DepositErrorCode.PAYMENT_MISMATCH,
            _("The payment (%(amount)s %(currency)s) does not match the deposit.")
            % {"amount": confirmation.amount, "currency": confirmation.currency},
        )
    if deposit.status not in Deposit.OPEN:
        raise _conflict(DepositErrorCode.DEPOSIT_NOT_PAYABLE, _("This deposit is closed and cannot be paid."))
    deposit.payment_reference = confirmation.payment_reference
    return _approve(deposit, by=None, data={"payment_reference": confirmation.payment_reference})


def deposit_payment_callback(*, provider_name: str, request: CallbackRequest) -> Deposit:
    """A provider's callback: checked by the provider (400 `payment_callback_invalid`), then confirmed."""
    provider = provider_named(provider_name)
    if provider is None:
        raise DepositNotFound(code=DepositErrorCode.PAYMENT_PROVIDER_NOT_FOUND, message=_("No such payment provider."))
    confirmation = provider.verify_callback(request)
    return deposit_payment_confirm(provider_name=provider.name, confirmation=confirmation)


def deposit_on_credited(operation: PlatformOperation) -> None:
    """The outbox's `on_done`: the platform applied the deposit, in the transaction that marks it done."""
    deposit = Deposit.objects.select_for_update().filter(operation=operation).first()
    if deposit is None or deposit.status != Status.APPROVED:
        return
    deposit.credited_at = timezone.now()
    _transition(
        deposit,
        Status.CREDITED,
        actor=None,
        data={"deal_id": operation.result.get("deal_id"), "applied_now": operation.result.get("applied_now")},
        fields=("credited_at",),
    )
    amount = f"{format_amount(deposit.credited_amount, deposit.account_currency)} {deposit.account_currency.code}"
    login = deposit.trading_account.login
    _tell_client(
        deposit,
        title={"zh-CN": "入金已到账", "en-US": "Deposit credited"},
        content={
            "zh-CN": f"您的入金 {deposit.order_number} 已存入交易账户 {login}：{amount}。",
            "en-US": f"Your deposit {deposit.order_number} was credited to trading account {login}: {amount}.",
        },
    )


def _tell_client(deposit: Deposit, *, title: dict[str, str], content: dict[str, str]) -> None:
    message_send(recipients=[deposit.user], title_i18n=title, content_i18n=content, sender=SENDER)


# --- expiry -----------------------------------------------------------------------------------------


def deposits_expire_drafts(*, now: datetime | None = None) -> list[int]:
    """Drafts past their time to live become expired (each in its own short transaction); their ids."""
    now = now or timezone.now()
    candidates = list(
        Deposit.objects.filter(status=Status.DRAFT, expires_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:EXPIRY_BATCH]
    )
    expired = []
    for deposit_id in candidates:
        with transaction.atomic(durable=True):
            deposit = Deposit.objects.select_for_update(skip_locked=True).filter(pk=deposit_id).first()
            if deposit is None or deposit.status != Status.DRAFT or deposit.expires_at > now:
                continue
            _transition(deposit, Status.EXPIRED, actor=None, reason="Not submitted in time.")
            expired.append(deposit_id)
    if expired:
        logger.info("expired %s deposit drafts", len(expired))
    return expired


# --- demo accounts ----------------------------------------------------------------------------------


def demo_account_fund(*, user: User, trading_account_id: int, amount: Decimal) -> PlatformOperation:
    """Top a demo account up with play money, within `DEMO_TOPUP_MAX_AMOUNT` at once and
    `DEMO_ACCOUNT_MAX_BALANCE` in all: a journal against `demo_funding` and a platform deposit through
    the outbox. 404 someone else's account, 409 `trading_account_not_demo`, 400 over a limit.
    """
    account = _own_trading_account(user=user, trading_account_id=trading_account_id)
    if not account.is_demo:
        raise _conflict(DepositErrorCode.TRADING_ACCOUNT_NOT_DEMO, _("Only demo accounts can be topped up."))
    _check_account_usable(account)
    currency = currency_get(account.currency)
    amount = _amount_input(amount, currency, field="amount")
    maximum = quantize(settings.DEMO_TOPUP_MAX_AMOUNT, currency)
    if amount > maximum:
        message = _("The maximum is %(amount)s %(code)s.") % {"amount": maximum, "code": currency.code}
        raise FundsError(code="amount_above_maximum", message=message, fields={"amount": [message]})
    # Read before the transaction (never hold one open across a platform call). Operations in flight
    # before this read and at the lock below both count, so one done in between is counted twice: a
    # cautious error, never one that lets the balance pass the cap.
    in_flight_before = demo_topups_in_flight(account=account)
    platform_balance = gateway_for(account.server).account_state(account.login).balance
    with transaction.atomic(durable=True):
        account = _own_trading_account(user=user, trading_account_id=trading_account_id, for_update=True)
        in_flight = {**in_flight_before, **demo_topups_in_flight(account=account)}
        cap = quantize(settings.DEMO_ACCOUNT_MAX_BALANCE, currency)
        if platform_balance + sum(in_flight.values(), Decimal(0)) + amount > cap:
            message = _("A demo account holds at most %(amount)s %(code)s.") % {"amount": cap, "code": currency.code}
            raise DepositError(
                code=DepositErrorCode.DEMO_BALANCE_LIMIT_EXCEEDED, message=message, fields={"amount": [message]}
            )
        key = f"demo:{account.pk}:{uuid.uuid4().hex}"
        journal = journal_post(
            kind=Journal.Kind.DEMO_FUNDING,
            lines=[
                (demo_funding_account(currency=currency.code), amount),
                (client_trading_account(trading_account=account), -amount),
            ],
            reference=account,
            memo=f"Demo top-up of {account.login}",
            by=user,
            idempotency_key=key,
        )
        operation = platform_operation_enqueue(
            server=account.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={
                "login": account.login,
                "kind": str(BalanceKind.DEPOSIT),
                "amount": amount,
                "comment": "Demo top-up",
            },
            idempotency_key=key,
        )
        audit_record(
            actor=user,
            action="demo_account.funded",
            target=account,
            data={
                "amount": str(amount),
                "currency": currency.code,
                "journal_id": journal.pk,
                "operation_id": operation.pk,
            },
        )
    return operation
