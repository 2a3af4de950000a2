"""Transfer workflows: one function per use case (see `funds.transfers.models`).

The request holds the money on the source at once (the out leg), in one transaction with both
trading accounts locked in pk order; the free-margin check is the withdrawals' (see
`funds.withdrawals.holds`). The in leg is booked and enqueued when both the approval and the
platform's answer to the out leg are in, whichever comes last. Locks are taken in one order
everywhere: platform operation (the outbox's callbacks) → transfer → hold.
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

from clients.trading.models import TradingAccount
from crm.audit.services import audit_record
from crm.configuration.models import VerificationScene
from crm.configuration.selectors import company_time_zone, singleton_get
from crm.inbox.services import message_send
from crm.platforms.gateway import BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from crm.verification.services import email_code_consume
from funds.errors import FundsError
from funds.ledger.models import Journal
from funds.ledger.services import (
    client_hold_account,
    client_trading_account,
    exchange_lines,
    journal_post,
    journal_reverse,
)
from funds.money import currency_get, format_amount, quantize
from funds.selectors import convert, exchange_rate_get
from funds.transfers.errors import TransferConflict, TransferError, TransferErrorCode, transfer_not_found
from funds.transfers.models import Transfer, TransferEvent, TransferSettings
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

logger = logging.getLogger(__name__)

Status = Transfer.Status
ON_OUT_APPLIED = "funds.transfers.services.transfer_on_out_applied"
ON_IN_APPLIED = "funds.transfers.services.transfer_on_in_applied"
ORDER_NUMBER_ATTEMPTS = 5
SWEEP_BATCH = 200
SENDER = "Finance"
USD = "USD"
SOURCE_FIELD, TARGET_FIELD = "source_trading_account_id", "target_trading_account_id"


# --- helpers ----------------------------------------------------------------------------------------


def new_order_number(now: datetime | None = None) -> str:
    """`T` + the company's date + 6 random digits: `T20261123482913`."""
    day = timezone.localtime(now or timezone.now(), company_time_zone())
    return f"T{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def transfer_settings_get() -> TransferSettings:
    return singleton_get(TransferSettings)


def _event(
    transfer: Transfer,
    action: str,
    *,
    from_status: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    TransferEvent.objects.create(
        transfer=transfer,
        action=action,
        from_status=from_status,
        to_status=transfer.status,
        actor=actor,
        reason=reason,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"transfer.{action}",
        target=transfer,
        reason=reason,
        data={"from": from_status, "to": transfer.status, **(data or {})},
    )


def _transition(
    transfer: Transfer,
    to_status: str,
    *,
    action: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Transfer:
    from_status = transfer.status
    transfer.status = to_status
    transfer.save(update_fields=["status", *fields, "updated_at"])
    _event(transfer, action, from_status=from_status, actor=actor, reason=reason, data=data)
    return transfer


def _locked(transfer_id: int) -> Transfer:
    transfer = Transfer.objects.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise transfer_not_found()
    return transfer


def _locked_hold(transfer: Transfer) -> Hold:
    return (
        Hold.objects.select_for_update(of=("self",)).select_related("trading_account__server").get(pk=transfer.hold_id)
    )


def _tell_client(transfer: Transfer, *, title: dict[str, str], content: dict[str, str]) -> None:
    message_send(recipients=[transfer.user], title_i18n=title, content_i18n=content, sender=SENDER)


def _usd_value(amount: Decimal, currency: str) -> Decimal | None:
    try:
        return convert(amount=amount, from_currency=currency, to_currency=USD)
    except FundsError:
        return None


# --- the client's request -----------------------------------------------------------------------------


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

    value = _usd_value(amount, source.currency)
    threshold = transfer_settings_get().auto_approve_below
    now = timezone.now()
    for _attempt in range(ORDER_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                transfer = Transfer.objects.create(
                    order_number=new_order_number(now),
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
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not find a free order number.")

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
    _event(
        transfer,
        "requested",
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
        _approve(transfer, transfer.hold, by=None, data={"auto_approve_below_usd": str(threshold)})
    return transfer


# --- decisions ---------------------------------------------------------------------------------------


def _move(transfer: Transfer, hold: Hold) -> None:
    """The in leg: book the held money onto the target and ask the platform to credit it."""
    source, target = transfer.source, transfer.target
    journal = journal_post(
        kind=Journal.Kind.TRANSFER,
        lines=exchange_lines(
            debit=client_hold_account(trading_account=source),
            debit_amount=transfer.amount,
            credit=client_trading_account(trading_account=target),
            credit_amount=transfer.target_amount,
        ),
        reference=transfer,
        memo=f"Transfer {transfer.order_number}: {source.login} → {target.login}",
        by=None,
        idempotency_key=f"transfer:{transfer.pk}:in",
    )
    operation = platform_operation_enqueue(
        server=target.server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={
            "login": target.login,
            "kind": str(BalanceKind.DEPOSIT),
            "amount": format_amount(transfer.target_amount, transfer.target_currency),
            "comment": f"Transfer {transfer.order_number} from {source.login}",
        },
        idempotency_key=f"transfer:{transfer.pk}:in",
        on_done=ON_IN_APPLIED,
    )
    holds.hold_settle(hold=hold)
    transfer.in_journal, transfer.in_operation = journal, operation
    transfer.save(update_fields=["in_journal", "in_operation", "updated_at"])
    _event(
        transfer,
        "in_leg_requested",
        from_status=transfer.status,
        actor=None,
        data={"journal_id": journal.pk, "operation_id": operation.pk},
    )


def _approve(transfer: Transfer, hold: Hold, *, by: User | None, data: dict[str, Any] | None = None) -> Transfer:
    transfer.decided_by, transfer.decided_at, transfer.is_auto_approved = by, timezone.now(), by is None
    _transition(
        transfer,
        Status.APPROVED,
        action="approved",
        actor=by,
        data=data,
        fields=("decided_by", "decided_at", "is_auto_approved"),
    )
    if hold.status == Hold.Status.HELD and hold.platform_status == Hold.PlatformStatus.APPLIED:
        _move(transfer, hold)
    return transfer


def _pending(transfer_id: int) -> tuple[Transfer, Hold]:
    transfer = _locked(transfer_id)
    if transfer.status != Status.PENDING:
        raise TransferConflict(
            code=TransferErrorCode.TRANSFER_NOT_PENDING, message=_("This transfer was already decided.")
        )
    return transfer, _locked_hold(transfer)


@transaction.atomic(durable=True)
def transfer_approve(*, transfer_id: int, by: User) -> Transfer:
    """Staff approve a pending transfer; the money moves once the platform has done the out leg (409 otherwise)."""
    transfer, hold = _pending(transfer_id)
    return _approve(transfer, hold, by=by)


def _close(transfer: Transfer, to_status: str, *, by: User | None, reason: str, action: str) -> Transfer:
    transfer.reason, transfer.closed_at = reason, timezone.now()
    fields: tuple[str, ...] = ("reason", "closed_at")
    if by is not None:
        transfer.decided_by, transfer.decided_at = by, transfer.closed_at
        fields += ("decided_by", "decided_at")
    _transition(transfer, to_status, action=action, actor=by, reason=reason, fields=fields)
    if to_status == Status.REJECTED:
        title = {"zh-CN": "转账申请被拒绝", "en-US": "Transfer rejected"}
        content = {
            "zh-CN": f"您的转账申请 {transfer.order_number} 未通过审核：{reason}。资金已退回转出账户。",
            "en-US": f"Your transfer {transfer.order_number} was rejected: {reason}. "
            "The money goes back to the account it came from.",
        }
    else:
        title = {"zh-CN": "转账失败", "en-US": "Transfer failed"}
        content = {
            "zh-CN": f"您的转账 {transfer.order_number} 未能完成：{reason}。资金已退回转出账户。",
            "en-US": f"Your transfer {transfer.order_number} could not be completed: {reason}. "
            "The money goes back to the account it came from.",
        }
    _tell_client(transfer, title=title, content=content)
    return transfer


@transaction.atomic(durable=True)
def transfer_reject(*, transfer_id: int, by: User, reason: str) -> Transfer:
    """Staff refuse a pending transfer, saying why; the hold goes back to the source (409 otherwise)."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Say why.")]})
    transfer, hold = _pending(transfer_id)
    holds.hold_release(hold=hold, by=by)
    return _close(transfer, Status.REJECTED, by=by, reason=reason, action="rejected")


# --- the platform's answers ---------------------------------------------------------------------------


def transfer_on_out_applied(operation: PlatformOperation) -> None:
    """`on_done` of the out leg: the platform took the money off the source; move it if approved."""
    transfer = Transfer.objects.select_for_update(of=("self",)).filter(hold__hold_operation=operation).first()
    if transfer is None:
        return
    hold = _locked_hold(transfer)
    if not holds.hold_on_applied(hold=hold):
        return
    _event(transfer, "out_leg_applied", from_status=transfer.status, actor=None)
    if transfer.status == Status.APPROVED and hold.status == Hold.Status.HELD:
        _move(transfer, hold)


def transfer_on_in_applied(operation: PlatformOperation) -> None:
    """`on_done` of the in leg: the target was credited, and the transfer is complete.

    Should the platform apply an in leg after the transfer failed (staff retried the refused
    operation), the credit is taken back from the target at once: the ledger already returned the
    money to the source.
    """
    transfer = Transfer.objects.select_for_update().filter(in_operation=operation).first()
    if transfer is None:
        return
    if transfer.status == Status.APPROVED:
        transfer.completed_at = timezone.now()
        _transition(
            transfer,
            Status.COMPLETED,
            action="completed",
            actor=None,
            data={"deal_id": operation.result.get("deal_id")},
            fields=("completed_at",),
        )
        amount = f"{format_amount(transfer.target_amount, transfer.target_currency)} {transfer.target_currency.code}"
        _tell_client(
            transfer,
            title={"zh-CN": "转账已完成", "en-US": "Transfer completed"},
            content={
                "zh-CN": f"您的转账 {transfer.order_number} 已完成：{amount} 已存入账户 {transfer.target.login}。",
                "en-US": f"Your transfer {transfer.order_number} is complete: {amount} reached account "
                f"{transfer.target.login}.",
            },
        )
    elif transfer.status == Status.FAILED:
        target = transfer.target
        reversal = platform_operation_enqueue(
            server=target.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={
                "login": target.login,
                "kind": str(BalanceKind.WITHDRAWAL),
                "amount": format_amount(transfer.target_amount, transfer.target_currency),
                "comment": f"Reversal of transfer {transfer.order_number}",
            },
            idempotency_key=f"transfer:{transfer.pk}:in:reverse",
        )
        _event(transfer, "in_leg_reversed", from_status=transfer.status, actor=None, data={"operation_id": reversal.pk})


def _fail_out_leg(hold_id: int) -> int | None:
    with transaction.atomic(durable=True):
        operation_id = Hold.objects.values_list("hold_operation_id", flat=True).get(pk=hold_id)
        operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
        if not holds.operation_refused(operation):
            return None
        transfer = Transfer.objects.select_for_update().filter(hold_id=hold_id).first()
        if transfer is None:
            return None
        hold = _locked_hold(transfer)
        if not holds.hold_on_refused(hold=hold):
            return None
        if transfer.is_open:
            holds.hold_release(hold=hold, by=None)
            reason = _("The trading platform refused to take the money off the source (%(code)s).") % {
                "code": operation.error_code
            }
            _close(transfer, Status.FAILED, by=None, reason=reason, action="failed")
        else:
            _event(
                transfer,
                "out_leg_refused",
                from_status=transfer.status,
                actor=None,
                data={"code": operation.error_code},
            )
        return transfer.pk


def _fail_in_leg(transfer_id: int) -> int | None:
    with transaction.atomic(durable=True):
        operation_id = Transfer.objects.values_list("in_operation_id", flat=True).get(pk=transfer_id)
        operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
        if not holds.operation_refused(operation):
            return None
        transfer = _locked(transfer_id)
        if transfer.status != Status.APPROVED:
            return None
        journal_reverse(
            journal=transfer.in_journal,
            by=None,
            memo=f"Transfer {transfer.order_number}: the platform refused the credit",
            idempotency_key=f"transfer:{transfer.pk}:in:reverse",
        )
        holds.hold_release(hold=_locked_hold(transfer), by=None, allow_settled=True)
        reason = _("The trading platform refused to credit the target account (%(code)s).") % {
            "code": operation.error_code
        }
        _close(transfer, Status.FAILED, by=None, reason=reason, action="failed")
        return transfer.pk


def transfers_fail_refused_legs() -> list[int]:
    """Every minute: transfers one of whose legs the platform refused for good fail, and the source gets
    its money back (the in leg's journal reversed first when it was the in leg). Returns their ids."""
    handled = []
    refused_out = holds.refused_hold_operations(purpose=Hold.Purpose.TRANSFER).values_list("id", flat=True)
    for hold_id in list(refused_out[:SWEEP_BATCH]):
        if (transfer_id := _fail_out_leg(hold_id)) is not None:
            handled.append(transfer_id)
    refused_in = Transfer.objects.filter(
        status=Status.APPROVED,
        in_operation__status=PlatformOperation.Status.FAILED,
        in_operation__error_code__in=holds.REFUSED_CODES,
    ).values_list("id", flat=True)
    for transfer_id in list(refused_in.order_by("id")[:SWEEP_BATCH]):
        if _fail_in_leg(transfer_id) is not None:
            handled.append(transfer_id)
    if handled:
        logger.info("transfers with refused legs: %s", handled)
    return handled
