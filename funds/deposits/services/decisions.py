"""Deciding deposits (staff, or an online provider's confirmation), crediting them, expiring drafts."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.platforms.gateway import BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.deposits.errors import (
    DepositError,
    DepositErrorCode,
    DepositNotFound,
    deposit_not_found,
)
from funds.deposits.models import Deposit
from funds.deposits.providers import CallbackRequest, PaymentConfirmation, provider_named
from funds.deposits.services.common import (
    Status,
    conflict,
    locked_deposit,
    tell_client,
    transition,
)
from funds.ledger.models import Journal
from funds.ledger.services import (
    broker_bank_account,
    client_trading_account,
    fee_income_account,
    fx_conversion_account,
    journal_post,
)
from funds.money import format_amount, quantize

logger = logging.getLogger(__name__)
ON_CREDITED = "funds.deposits.services.deposit_on_credited"
EXPIRY_BATCH = 500


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
            "amount": quantize(deposit.credited_amount, deposit.account_currency),
            "comment": f"Deposit {deposit.order_number}",
        },
        idempotency_key=f"deposit:{deposit.pk}",
        on_done=ON_CREDITED,
    )
    deposit.journal, deposit.operation = journal, operation
    deposit.decided_by, deposit.decided_at = by, timezone.now()
    return transition(
        deposit,
        Status.APPROVED,
        actor=by,
        data={"journal_id": journal.pk, "operation_id": operation.pk, **(data or {})},
        fields=("journal", "operation", "decided_by", "decided_at", "payment_reference"),
    )


@transaction.atomic(durable=True)
def deposit_approve(*, deposit_id: int, by: User) -> Deposit:
    """Staff approve a submitted deposit: the ledger books it and the platform credits it (409 otherwise)."""
    deposit = locked_deposit(deposit_id=deposit_id)
    if deposit.status != Status.SUBMITTED:
        raise conflict(DepositErrorCode.DEPOSIT_NOT_SUBMITTED, _("Only a submitted deposit can be approved."))
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
    deposit = locked_deposit(deposit_id=deposit_id)
    if deposit.status != Status.SUBMITTED:
        raise conflict(DepositErrorCode.DEPOSIT_NOT_SUBMITTED, _("Only a submitted deposit can be rejected."))
    deposit.reason, deposit.decided_by, deposit.decided_at = reason, by, timezone.now()
    transition(deposit, Status.REJECTED, actor=by, reason=reason, fields=("reason", "decided_by", "decided_at"))
    tell_client(
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
    deposit = locked_deposit(order_number=confirmation.order_number)
    if deposit.channel.provider != provider_name:
        raise deposit_not_found()
    if deposit.payment_reference:
        if deposit.payment_reference == confirmation.payment_reference:
            return deposit
        raise conflict(DepositErrorCode.DEPOSIT_NOT_PAYABLE, _("This deposit was already paid."))
    if confirmation.currency != deposit.currency.code or confirmation.amount != deposit.deposit_amount:
        raise conflict(
            DepositErrorCode.PAYMENT_MISMATCH,
            _("The payment (%(amount)s %(currency)s) does not match the deposit.")
            % {"amount": confirmation.amount, "currency": confirmation.currency},
        )
    if deposit.status not in Deposit.OPEN:
        raise conflict(DepositErrorCode.DEPOSIT_NOT_PAYABLE, _("This deposit is closed and cannot be paid."))
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
    transition(
        deposit,
        Status.CREDITED,
        actor=None,
        data={"deal_id": operation.result.get("deal_id"), "applied_now": operation.result.get("applied_now")},
        fields=("credited_at",),
    )
    amount = f"{format_amount(deposit.credited_amount, deposit.account_currency)} {deposit.account_currency.code}"
    login = deposit.trading_account.login
    tell_client(
        deposit,
        title={"zh-CN": "入金已到账", "en-US": "Deposit credited"},
        content={
            "zh-CN": f"您的入金 {deposit.order_number} 已存入交易账户 {login}：{amount}。",
            "en-US": f"Your deposit {deposit.order_number} was credited to trading account {login}: {amount}.",
        },
    )


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
            transition(deposit, Status.EXPIRED, actor=None, reason="Not submitted in time.")
            expired.append(deposit_id)
    if expired:
        logger.info("expired %s deposit drafts", len(expired))
    return expired
