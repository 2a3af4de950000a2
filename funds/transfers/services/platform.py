"""The platform's answers to a transfer's legs: the out leg taken (the in leg follows if approved), the
in leg applied (complete), or a leg refused for good (a sweep every minute fails the transfer and
gives the source its money back)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.platforms.gateway import BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from funds.ledger.services import journal_reverse
from funds.money import format_amount
from funds.movements.services import movement_client_tell, movement_event_record, movement_transition
from funds.transfers.models import Transfer
from funds.transfers.services.common import Status, close, locked, locked_hold
from funds.transfers.services.decisions import move_in_leg
from funds.withdrawals import holds
from funds.withdrawals.models import Hold

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200


def transfer_on_out_applied(operation: PlatformOperation) -> None:
    """`on_done` of the out leg: the platform took the money off the source; move it if approved."""
    transfer = Transfer.objects.select_for_update(of=("self",)).filter(hold__hold_operation=operation).first()
    if transfer is None:
        return
    hold = locked_hold(transfer)
    if not holds.hold_on_applied(hold=hold):
        return
    movement_event_record(movement=transfer, action="out_leg_applied", from_status=transfer.status, actor=None)
    if transfer.status == Status.APPROVED and hold.status == Hold.Status.HELD:
        move_in_leg(transfer, hold)


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
        movement_transition(
            movement=transfer,
            to_status=Status.COMPLETED,
            action="completed",
            actor=None,
            data={"deal_id": operation.result.get("deal_id")},
            fields=("completed_at",),
        )
        amount = f"{format_amount(transfer.target_amount, transfer.target_currency)} {transfer.target_currency.code}"
        movement_client_tell(
            user=transfer.user,
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
        movement_event_record(
            movement=transfer,
            action="in_leg_reversed",
            from_status=transfer.status,
            actor=None,
            data={"operation_id": reversal.pk},
        )


def _fail_out_leg(hold_id: int) -> int | None:
    with transaction.atomic(durable=True):
        operation_id = Hold.objects.values_list("hold_operation_id", flat=True).get(pk=hold_id)
        operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
        if not holds.operation_refused(operation):
            return None
        transfer = Transfer.objects.select_for_update().filter(hold_id=hold_id).first()
        if transfer is None:
            return None
        hold = locked_hold(transfer)
        if not holds.hold_on_refused(hold=hold):
            return None
        if transfer.is_open:
            holds.hold_release(hold=hold, by=None)
            reason = _("The trading platform refused to take the money off the source (%(code)s).") % {
                "code": operation.error_code
            }
            close(transfer, Status.FAILED, by=None, reason=reason, action="failed")
        else:
            movement_event_record(
                movement=transfer,
                action="out_leg_refused",
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
        transfer = locked(transfer_id)
        if transfer.status != Status.APPROVED:
            return None
        assert transfer.in_journal is not None  # booked with the in leg's operation
        journal_reverse(
            journal=transfer.in_journal,
            by=None,
            memo=f"Transfer {transfer.order_number}: the platform refused the credit",
            idempotency_key=f"transfer:{transfer.pk}:in:reverse",
        )
        holds.hold_release(hold=locked_hold(transfer), by=None, allow_settled=True)
        reason = _("The trading platform refused to credit the target account (%(code)s).") % {
            "code": operation.error_code
        }
        close(transfer, Status.FAILED, by=None, reason=reason, action="failed")
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
