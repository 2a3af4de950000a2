"""Withdrawal workflows: one function per use case (see `funds.withdrawals.models`).

The request moves money at once: in one transaction, with the trading account's row locked, it
creates the withdrawal, posts the hold journal (client_trading → client_hold) and enqueues the
platform `withdrawal` operation (idempotency key `withdrawal:<id>:hold`). The free-margin check
happens under that lock (`funds.withdrawals.holds`), so concurrent requests never hold more than
the account has.

Every later transition locks the withdrawal (`select_for_update`), checks its state (409
otherwise), and writes a `WithdrawalEvent` and an audit row in the same transaction. Locks are
taken in one order everywhere: platform operation (the outbox's callbacks) → withdrawal → hold.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.configuration.models import FundingMethod, VerificationScene
from crm.configuration.selectors import company_time_zone, singleton_get
from crm.inbox.services import message_send
from crm.platforms.models import PlatformOperation
from crm.users.models import User
from crm.verification.services import email_code_consume
from funds.errors import FundsError, FundsNotFound
from funds.ledger.models import Journal
from funds.ledger.services import (
    broker_bank_account,
    client_hold_account,
    fee_income_account,
    fx_conversion_account,
    journal_post,
)
from funds.models import INFO_FIELDS, Channel, PayoutAccount
from funds.money import format_amount, format_decimal
from funds.payout_info import payout_info_clean
from funds.selectors import convert, payout_account_get
from funds.withdrawals import holds
from funds.withdrawals.errors import (
    WithdrawalConflict,
    WithdrawalErrorCode,
    WithdrawalForbidden,
    invalid_input,
    withdrawal_not_found,
)
from funds.withdrawals.models import Hold, Withdrawal, WithdrawalEvent, WithdrawalSettings
from funds.withdrawals.rules import (
    check_account_can_send,
    email_code_check_given,
    insufficient_free_margin,
    own_trading_account,
)
from funds.withdrawals.selectors import WithdrawalQuote, withdrawal_quote

logger = logging.getLogger(__name__)

Status = Withdrawal.Status
ON_HOLD_APPLIED = "funds.withdrawals.services.withdrawal_on_hold_applied"
ORDER_NUMBER_ATTEMPTS = 5
SWEEP_BATCH = 200
SENDER = "Finance"
USD = "USD"


# --- helpers ----------------------------------------------------------------------------------------


def new_order_number(now: datetime | None = None) -> str:
    """`W` + the company's date + 6 random digits: `W20261123482913`."""
    day = timezone.localtime(now or timezone.now(), company_time_zone())
    return f"W{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def _conflict(code: str, message: str, **kwargs: Any) -> WithdrawalConflict:
    return WithdrawalConflict(code=code, message=message, **kwargs)


def _event(
    withdrawal: Withdrawal,
    action: str,
    *,
    from_status: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    WithdrawalEvent.objects.create(
        withdrawal=withdrawal,
        action=action,
        from_status=from_status,
        to_status=withdrawal.status,
        actor=actor,
        reason=reason,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"withdrawal.{action}",
        target=withdrawal,
        reason=reason,
        data={"from": from_status, "to": withdrawal.status, **(data or {})},
    )


def _transition(
    withdrawal: Withdrawal,
    to_status: str,
    *,
    action: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Withdrawal:
    """Move a locked withdrawal to `to_status`, saving `fields` too, with its event and audit row."""
    from_status = withdrawal.status
    withdrawal.status = to_status
    withdrawal.save(update_fields=["status", *fields, "updated_at"])
    _event(withdrawal, action, from_status=from_status, actor=actor, reason=reason, data=data)
    return withdrawal


def _locked(*, withdrawal_id: int | None = None, user: User | None = None, order_number: str = "") -> Withdrawal:
    withdrawals = Withdrawal.objects.select_for_update()
    if user is not None:
        withdrawals = withdrawals.filter(user=user)
    if withdrawal_id is not None:
        withdrawal = withdrawals.filter(pk=withdrawal_id).first()
    else:
        withdrawal = withdrawals.filter(order_number=order_number.strip()).first()
    if withdrawal is None:
        raise withdrawal_not_found()
    return withdrawal


def _locked_hold(withdrawal: Withdrawal) -> Hold:
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("trading_account__server")
        .get(pk=withdrawal.hold_id)
    )


def _tell_client(withdrawal: Withdrawal, *, title: dict[str, str], content: dict[str, str]) -> None:
    message_send(recipients=[withdrawal.user], title_i18n=title, content_i18n=content, sender=SENDER)


def withdrawal_settings_get() -> WithdrawalSettings:
    return singleton_get(WithdrawalSettings)


# --- the client's request -----------------------------------------------------------------------------


def _check_quote(quote: WithdrawalQuote, *, fee: Decimal, exchange_rate: Decimal, remittance_amount: Decimal) -> None:
    """409 `quote_changed` unless the client saw what the server computes; `fields` carry the fresh values."""
    fresh = {
        "fee": format_amount(quote.fee, quote.currency),
        "exchange_rate": format_decimal(quote.exchange_rate),
        "remittance_amount": format_amount(quote.remittance_amount, quote.currency),
    }
    if (fee, exchange_rate, remittance_amount) != (quote.fee, quote.exchange_rate, quote.remittance_amount):
        raise _conflict(
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

    now = timezone.now()
    for _attempt in range(ORDER_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                withdrawal = Withdrawal.objects.create(
                    order_number=new_order_number(now),
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
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not find a free order number.")

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
    _event(
        withdrawal,
        "requested",
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
    withdrawal = _locked(user=user, order_number=order_number)
    if withdrawal.status != Status.PENDING:
        raise _conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_PENDING, _("Only a pending withdrawal can be cancelled."))
    holds.hold_release(hold=_locked_hold(withdrawal), by=user)
    withdrawal.closed_at = timezone.now()
    return _transition(withdrawal, Status.CANCELLED, action="cancelled", actor=user, fields=("closed_at",))


# --- staff decisions ----------------------------------------------------------------------------------


def _usd_value(withdrawal: Withdrawal) -> Decimal | None:
    try:
        return convert(amount=withdrawal.withdrawal_amount, from_currency=withdrawal.account_currency, to_currency=USD)
    except FundsError:
        return None


@transaction.atomic(durable=True)
def withdrawal_approve(*, withdrawal_id: int, by: User) -> Withdrawal:
    """Staff approve a withdrawal: the first approval of a pending one, or the second of an approved one
    worth more than the company's threshold (in USD), which must come from another staff member.

    409 `withdrawal_already_approved` / `withdrawal_not_pending`, 403 `same_approver`.
    """
    withdrawal = _locked(withdrawal_id=withdrawal_id)
    if withdrawal.status == Status.APPROVED:
        if not withdrawal.awaits_second_approval:
            raise _conflict(WithdrawalErrorCode.WITHDRAWAL_ALREADY_APPROVED, _("This withdrawal is already approved."))
        if withdrawal.decided_by_id == by.pk:
            raise WithdrawalForbidden(
                code=WithdrawalErrorCode.SAME_APPROVER,
                message=_("The second approval must come from another staff member."),
            )
        withdrawal.second_approver, withdrawal.second_approved_at = by, timezone.now()
        return _transition(
            withdrawal,
            Status.APPROVED,
            action="second_approved",
            actor=by,
            fields=("second_approver", "second_approved_at"),
        )
    if withdrawal.status != Status.PENDING:
        raise _conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_PENDING, _("Only a pending withdrawal can be approved."))
    value = _usd_value(withdrawal)
    threshold = withdrawal_settings_get().second_approval_threshold
    # No rate to USD: the value is unknown, so the stricter rule applies.
    withdrawal.requires_second_approval = value is None or value > threshold
    withdrawal.amount_usd = value
    withdrawal.decided_by, withdrawal.decided_at = by, timezone.now()
    return _transition(
        withdrawal,
        Status.APPROVED,
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
    withdrawal = _locked(withdrawal_id=withdrawal_id)
    if withdrawal.status != Status.APPROVED:
        raise _conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_APPROVED, _("Only an approved withdrawal can be paid."))
    if withdrawal.awaits_second_approval:
        raise _conflict(
            WithdrawalErrorCode.SECOND_APPROVER_REQUIRED,
            _("This withdrawal needs a second approval by another staff member before it is paid."),
        )
    hold = _locked_hold(withdrawal)
    if hold.platform_status != Hold.PlatformStatus.APPLIED:
        raise _conflict(
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
    _transition(
        withdrawal,
        Status.PAID,
        action="paid",
        actor=by,
        data={"payment_reference": withdrawal.payment_reference, "journal_id": journal.pk},
        fields=("payout_journal", "payment_reference", "paid_by", "paid_at"),
    )
    amount = f"{format_amount(withdrawal.remittance_amount, withdrawal.currency)} {withdrawal.currency.code}"
    _tell_client(
        withdrawal,
        title={"zh-CN": "出金已汇出", "en-US": "Withdrawal paid"},
        content={
            "zh-CN": f"您的出金 {withdrawal.order_number} 已汇出：{amount}。",
            "en-US": f"Your withdrawal {withdrawal.order_number} was paid out: {amount}.",
        },
    )
    return withdrawal


def _close(withdrawal: Withdrawal, to_status: str, *, by: User | None, reason: str, action: str) -> Withdrawal:
    """Reject or fail the locked open withdrawal: the hold goes back, the client is told."""
    holds.hold_release(hold=_locked_hold(withdrawal), by=by)
    withdrawal.reason, withdrawal.closed_at = reason, timezone.now()
    fields: tuple[str, ...] = ("reason", "closed_at")
    if withdrawal.decided_by_id is None and by is not None:
        withdrawal.decided_by, withdrawal.decided_at = by, withdrawal.closed_at
        fields += ("decided_by", "decided_at")
    _transition(withdrawal, to_status, action=action, actor=by, reason=reason, fields=fields)
    if to_status == Status.REJECTED:
        title = {"zh-CN": "出金申请被拒绝", "en-US": "Withdrawal rejected"}
        content = {
            "zh-CN": f"您的出金申请 {withdrawal.order_number} 未通过审核：{reason}。资金已退回交易账户。",
            "en-US": f"Your withdrawal {withdrawal.order_number} was rejected: {reason}. "
            "The money goes back to your trading account.",
        }
    else:
        title = {"zh-CN": "出金失败", "en-US": "Withdrawal failed"}
        content = {
            "zh-CN": f"您的出金 {withdrawal.order_number} 未能完成：{reason}。资金已退回交易账户。",
            "en-US": f"Your withdrawal {withdrawal.order_number} could not be completed: {reason}. "
            "The money goes back to your trading account.",
        }
    _tell_client(withdrawal, title=title, content=content)
    return withdrawal


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Say why.")]})
    return reason


@transaction.atomic(durable=True)
def withdrawal_reject(*, withdrawal_id: int, by: User, reason: str) -> Withdrawal:
    """Staff refuse a pending or approved (unpaid) withdrawal, saying why; the hold goes back (409 otherwise)."""
    reason = _reason_required(reason)
    withdrawal = _locked(withdrawal_id=withdrawal_id)
    if not withdrawal.is_open:
        raise _conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_OPEN, _("This withdrawal is already paid or closed."))
    return _close(withdrawal, Status.REJECTED, by=by, reason=reason, action="rejected")


@transaction.atomic(durable=True)
def withdrawal_fail(*, withdrawal_id: int, by: User, reason: str) -> Withdrawal:
    """Staff record that an open withdrawal could not be paid (the bank returned it, …); the hold goes back."""
    reason = _reason_required(reason)
    withdrawal = _locked(withdrawal_id=withdrawal_id)
    if not withdrawal.is_open:
        raise _conflict(WithdrawalErrorCode.WITHDRAWAL_NOT_OPEN, _("This withdrawal is already paid or closed."))
    return _close(withdrawal, Status.FAILED, by=by, reason=reason, action="failed")


# --- the platform's answers -------------------------------------------------------------------------------


def withdrawal_on_hold_applied(operation: PlatformOperation) -> None:
    """The outbox's `on_done` of the hold: the platform took the money (in the transaction marking it done)."""
    withdrawal = Withdrawal.objects.select_for_update(of=("self",)).filter(hold__hold_operation=operation).first()
    if withdrawal is None:
        return
    hold = _locked_hold(withdrawal)
    if holds.hold_on_applied(hold=hold):
        _event(
            withdrawal,
            "hold_applied",
            from_status=withdrawal.status,
            actor=None,
            data={"deal_id": operation.result.get("deal_id"), "released": hold.status == Hold.Status.RELEASED},
        )


def withdrawals_fail_refused_holds() -> list[int]:
    """Every minute: withdrawals whose hold the platform refused for good fail, and their holds go back
    (in the ledger only: the platform never took the money). Returns the withdrawals' ids."""
    handled = []
    for hold_id in list(
        holds.refused_hold_operations(purpose=Hold.Purpose.WITHDRAWAL).values_list("id", flat=True)[:SWEEP_BATCH]
    ):
        with transaction.atomic(durable=True):
            operation_id = Hold.objects.values_list("hold_operation_id", flat=True).get(pk=hold_id)
            operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
            if not holds.operation_refused(operation):
                continue  # retried meanwhile
            withdrawal = Withdrawal.objects.select_for_update().filter(hold_id=hold_id).first()
            if withdrawal is None:
                continue
            hold = _locked_hold(withdrawal)
            if not holds.hold_on_refused(hold=hold):
                continue
            if withdrawal.is_open:
                reason = _("The trading platform refused to take the money (%(code)s).") % {
                    "code": operation.error_code
                }
                _close(withdrawal, Status.FAILED, by=None, reason=reason, action="failed")
            else:
                _event(
                    withdrawal,
                    "hold_refused",
                    from_status=withdrawal.status,
                    actor=None,
                    data={"error_code": operation.error_code},
                )
            handled.append(withdrawal.pk)
    if handled:
        logger.info("withdrawals with refused holds: %s", handled)
    return handled
