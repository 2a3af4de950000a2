"""The money work that waits for staff, and today's approved money, for the back office home.

Registered from `FundsConfig.ready()`. Each queue's `filters` open the admin changelist on exactly the
rows its `condition` counts; the withdrawal approval stages have their own admin filter
(`funds.withdrawals.admin.ApprovalStageFilter`) built on the same conditions.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.backoffice.registry import DailyTotal, WorkQueue, daily_total_register, status_queue, work_queue_register

# Withdrawals approved once that are worth more than the threshold wait for another staff member.
AWAITING_SECOND_APPROVAL = Q(status="approved", requires_second_approval=True, second_approver__isnull=True)
READY_TO_PAY = Q(status="approved") & ~AWAITING_SECOND_APPROVAL
APPROVAL_STAGES = {"second_approval": AWAITING_SECOND_APPROVAL, "to_pay": READY_TO_PAY}


def funds_work_register() -> None:
    for queue in [
        status_queue(
            key="deposits_to_review",
            label=_("Deposits to review"),
            model="deposits.Deposit",
            status="submitted",
            position=10,
        ),
        status_queue(
            key="withdrawals_to_approve",
            label=_("Withdrawals to approve"),
            model="withdrawals.Withdrawal",
            status="pending",
            position=20,
        ),
        WorkQueue(
            key="withdrawals_second_approval",
            label=_("Withdrawals waiting for a second approver"),
            model="withdrawals.Withdrawal",
            condition=AWAITING_SECOND_APPROVAL,
            filters={"approval": "second_approval"},
            position=21,
        ),
        WorkQueue(
            key="withdrawals_to_pay",
            label=_("Approved withdrawals to pay out"),
            model="withdrawals.Withdrawal",
            condition=READY_TO_PAY,
            filters={"approval": "to_pay"},
            position=22,
        ),
        status_queue(
            key="transfers_to_approve",
            label=_("Transfers to approve"),
            model="transfers.Transfer",
            status="pending",
            position=30,
        ),
    ]:
        work_queue_register(queue)
    daily_total_register(
        DailyTotal(
            key="deposits_approved_today",
            label=_("Deposits approved today"),
            model="deposits.Deposit",
            condition=Q(status__in=["approved", "credited"]),
            time_field="decided_at",
            amount_field="deposit_amount",
            currency_field="currency__code",
            position=10,
        )
    )
    # What the approved withdrawals pay out, in the currency they are paid in.
    daily_total_register(
        DailyTotal(
            key="withdrawals_approved_today",
            label=_("Withdrawals approved today (to pay out)"),
            model="withdrawals.Withdrawal",
            condition=Q(status__in=["approved", "paid"]),
            time_field="decided_at",
            amount_field="remittance_amount",
            currency_field="currency__code",
            position=20,
        )
    )
