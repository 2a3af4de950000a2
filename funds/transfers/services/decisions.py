"""Staff decisions on transfers, and the in leg that follows an approval once the platform has done
the out leg (whichever comes last)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.platforms.gateway import BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.ledger.models import Journal
from funds.ledger.services import client_hold_account, client_trading_account, exchange_lines, journal_post
from funds.money import format_amount
from funds.movements.services import movement_event_record, movement_transition
from funds.transfers.errors import TransferConflict, TransferErrorCode
from funds.transfers.models import Transfer
from funds.transfers.services.common import Status, close, locked, locked_hold
from funds.withdrawals import holds
from funds.withdrawals.errors import invalid_input
from funds.withdrawals.models import Hold

# The outbox calls it by this path when the platform has credited the target.
ON_IN_APPLIED = "funds.transfers.services.transfer_on_in_applied"


def move_in_leg(transfer: Transfer, hold: Hold) -> None:
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
    movement_event_record(
        movement=transfer,
        action="in_leg_requested",
        from_status=transfer.status,
        actor=None,
        data={"journal_id": journal.pk, "operation_id": operation.pk},
    )


def approve(transfer: Transfer, hold: Hold, *, by: User | None, data: dict[str, Any] | None = None) -> Transfer:
    transfer.decided_by, transfer.decided_at, transfer.is_auto_approved = by, timezone.now(), by is None
    movement_transition(
        movement=transfer,
        to_status=Status.APPROVED,
        action="approved",
        actor=by,
        data=data,
        fields=("decided_by", "decided_at", "is_auto_approved"),
    )
    if hold.status == Hold.Status.HELD and hold.platform_status == Hold.PlatformStatus.APPLIED:
        move_in_leg(transfer, hold)
    return transfer


def _pending(transfer_id: int) -> tuple[Transfer, Hold]:
    transfer = locked(transfer_id)
    if transfer.status != Status.PENDING:
        raise TransferConflict(
            code=TransferErrorCode.TRANSFER_NOT_PENDING, message=_("This transfer was already decided.")
        )
    return transfer, locked_hold(transfer)


@transaction.atomic(durable=True)
def transfer_approve(*, transfer_id: int, by: User) -> Transfer:
    """Staff approve a pending transfer; the money moves once the platform has done the out leg (409 otherwise)."""
    transfer, hold = _pending(transfer_id)
    return approve(transfer, hold, by=by)


@transaction.atomic(durable=True)
def transfer_reject(*, transfer_id: int, by: User, reason: str) -> Transfer:
    """Staff refuse a pending transfer, saying why; the hold goes back to the source (409 otherwise)."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Say why.")]})
    transfer, hold = _pending(transfer_id)
    holds.hold_release(hold=hold, by=by)
    return close(transfer, Status.REJECTED, by=by, reason=reason, action="rejected")
