"""The platform's answers to a withdrawal's hold: taken (the outbox's `on_done`), or refused for good
(a sweep every minute fails the withdrawal and gives the hold back in the ledger)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from crm.platforms.models import PlatformOperation
from funds.movements.services import movement_event_record
from funds.withdrawals import holds
from funds.withdrawals.models import Hold, Withdrawal
from funds.withdrawals.services.common import Status, close, locked_hold

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200


def withdrawal_on_hold_applied(operation: PlatformOperation) -> None:
    """The outbox's `on_done` of the hold: the platform took the money (in the transaction marking it done)."""
    withdrawal = Withdrawal.objects.select_for_update(of=("self",)).filter(hold__hold_operation=operation).first()
    if withdrawal is None:
        return
    hold = locked_hold(withdrawal)
    if holds.hold_on_applied(hold=hold):
        movement_event_record(
            movement=withdrawal,
            action="hold_applied",
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
            hold = locked_hold(withdrawal)
            if not holds.hold_on_refused(hold=hold):
                continue
            if withdrawal.is_open:
                reason = _("The trading platform refused to take the money (%(code)s).") % {
                    "code": operation.error_code
                }
                close(withdrawal, Status.FAILED, by=None, reason=reason, action="failed")
            else:
                movement_event_record(
                    movement=withdrawal,
                    action="hold_refused",
                    from_status=withdrawal.status,
                    actor=None,
                    data={"error_code": operation.error_code},
                )
            handled.append(withdrawal.pk)
    if handled:
        logger.info("withdrawals with refused holds: %s", handled)
    return handled
