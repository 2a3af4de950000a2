"""Staff decisions on withdrawals: approval (maker-checker above the company's threshold), payment,
rejection and failure. Each locks the withdrawal, checks its state (409 otherwise) and records the step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.users.models import User
from funds.ledger.models import Journal
from funds.ledger.services import (
    broker_bank_account,
    client_hold_account,
    fee_income_account,
    fx_conversion_account,
    journal_post,
)
from funds.money import format_amount
from funds.movements.services import movement_client_tell, movement_transition, value_in
from funds.withdrawals import holds
from funds.withdrawals.errors import WithdrawalErrorCode, WithdrawalForbidden, invalid_input
from funds.withdrawals.models import Hold, Withdrawal
from funds.withdrawals.services.common import Status, close, conflict, locked, locked_hold, withdrawal_settings_get

USD = "USD"


@transaction.atomic(durable=True)
def withdrawal_approve(*, withdrawal_id: int, by: User) -> Withdrawal:
    """Staff approve a withdrawal: the first approval of a pending one, or the second of an approved one
    worth more than the company's threshold (in USD), which must come from another staff member.

    409 `withdrawal_already_approved` / `withdrawal_not_pending`, 403 `same_approver`.
    """
    withdrawal = locked(withdrawal_id=withdrawal_id)
    if withdrawal.status == Status.APPROVED:
        if not withdrawal.awaits_second_approval:
            raise conflict(WithdrawalErrorCode.WITHDRAWAL_ALREADY_APPROVED, _("This withdrawal is already approved."))
        if withdrawal.decided_by_id == by.pk:
            raise WithdrawalForbidden(
                code=WithdrawalErrorCode.SAME_APPROVER,
                message=_("The second approval must come from another staff member."),
            )
        withdrawal.second_approver, withdrawal.second_approved_at = by, timezone.now()
        return movement_transition(
            movement=withdrawal,
            to_status=Status.APPROVED,
            action="second_approved",
            actor=by,
            fields=("second_approver", "second_approved_at"),
        )
    if withdrawal.status != Status.PENDING:
        raise conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_PENDING, _("Only a pending withdrawal can be approved."))
    value = value_in(amount=withdrawal.withdrawal_amount, currency=withdrawal.account_currency, to_currency=USD)
    threshold = withdrawal_settings_get().second_approval_threshold
    # No rate to USD: the value is unknown, so the stricter rule applies.
    withdrawal.requires_second_approval = value is None or value > threshold
    withdrawal.amount_usd = value
    withdrawal.decided_by, withdrawal.decided_at = by, timezone.now()
    return movement_transition(
        movement=withdrawal,
        to_status=Status.APPROVED,
        action="approved",
        actor=by,
        data={
            "amount_usd": str(value) if value is not None else None,
            "threshold_usd": str(threshold),
            "requires_second_approval": withdrawal.requires_second_approval,
        },
        fields=("requires_second_approval", "amount_usd", "decided_by", "decided_at"),
    )


def _payout_lines(withdrawal: Withdrawal) -> list[tuple[Any, Decimal]]:
    """client_hold Dr the withdrawal amount; (fx legs); broker_bank Cr what is paid; fee_income Cr the fee."""
    account = withdrawal.trading_account
    code, account_code = withdrawal.currency.code, withdrawal.account_currency.code
    converted = withdrawal.remittance_amount + withdrawal.fee
    lines = [(client_hold_account(trading_account=account), withdrawal.withdrawal_amount)]
    if code != account_code:
        lines += [
            (fx_conversion_account(currency=account_code), -withdrawal.withdrawal_amount),
            (fx_conversion_account(currency=code), converted),
        ]
    lines.append((broker_bank_account(channel=withdrawal.channel, currency=code), -withdrawal.remittance_amount))
    if withdrawal.fee:
        lines.append((fee_income_account(currency=code), -withdrawal.fee))
    return lines


@transaction.atomic(durable=True)
def withdrawal_mark_paid(*, withdrawal_id: int, by: User, payment_reference: str) -> Withdrawal:
    """Staff paid an approved withdrawal out (the bank's or chain's reference): the hold goes to the broker's
    bank and the fee to income.

    409 `withdrawal_not_approved`, `second_approver_required`, `hold_not_applied` (the platform has not
    taken the money yet).
    """
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise invalid_input({"payment_reference": [_("Give the payment's reference.")]})
    withdrawal = locked(withdrawal_id=withdrawal_id)
    if withdrawal.status != Status.APPROVED:
        raise conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_APPROVED, _("Only an approved withdrawal can be paid."))
    if withdrawal.awaits_second_approval:
        raise conflict(
            WithdrawalErrorCode.SECOND_APPROVER_REQUIRED,
            _("This withdrawal needs a second approval by another staff member before it is paid."),
        )
    hold = locked_hold(withdrawal)
    if hold.platform_status != Hold.PlatformStatus.APPLIED:
        raise conflict(
            WithdrawalErrorCode.HOLD_NOT_APPLIED,
            _("The trading platform has not taken the money off the account yet; pay once it has."),
        )
    journal = journal_post(
        kind=Journal.Kind.WITHDRAWAL_PAYOUT,
        lines=_payout_lines(withdrawal),
        reference=withdrawal,
        memo=f"Withdrawal {withdrawal.order_number} paid: {payment_reference}",
        by=by,
        idempotency_key=f"withdrawal:{withdrawal.pk}:payout",
    )
    holds.hold_settle(hold=hold)
    withdrawal.payout_journal, withdrawal.payment_reference = journal, payment_reference[:100]
    withdrawal.paid_by, withdrawal.paid_at = by, timezone.now()
    movement_transition(
        movement=withdrawal,
        to_status=Status.PAID,
        action="paid",
        actor=by,
        data={"payment_reference": withdrawal.payment_reference, "journal_id": journal.pk},
        fields=("payout_journal", "payment_reference", "paid_by", "paid_at"),
    )
    amount = f"{format_amount(withdrawal.remittance_amount, withdrawal.currency)} {withdrawal.currency.code}"
    movement_client_tell(
        user=withdrawal.user,
        title={"zh-CN": "出金已汇出", "en-US": "Withdrawal paid"},
        content={
            "zh-CN": f"您的出金 {withdrawal.order_number} 已汇出：{amount}。",
            "en-US": f"Your withdrawal {withdrawal.order_number} was paid out: {amount}.",
        },
    )
    return withdrawal


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Say why.")]})
    return reason


def _locked_open(withdrawal_id: int) -> Withdrawal:
    withdrawal = locked(withdrawal_id=withdrawal_id)
    if not withdrawal.is_open:
        raise conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_OPEN, _("This withdrawal is already paid or closed."))
    return withdrawal


@transaction.atomic(durable=True)
def withdrawal_reject(*, withdrawal_id: int, by: User, reason: str) -> Withdrawal:
    """Staff refuse a pending or approved (unpaid) withdrawal, saying why; the hold goes back (409 otherwise)."""
    reason = _reason_required(reason)
    return close(_locked_open(withdrawal_id), Status.REJECTED, by=by, reason=reason, action="rejected")


@transaction.atomic(durable=True)
def withdrawal_fail(*, withdrawal_id: int, by: User, reason: str) -> Withdrawal:
    """Staff record that an open withdrawal could not be paid (the bank returned it, …); the hold goes back."""
    reason = _reason_required(reason)
    return close(_locked_open(withdrawal_id), Status.FAILED, by=by, reason=reason, action="failed")
