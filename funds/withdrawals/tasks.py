"""Celery tasks of withdrawals: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from funds.withdrawals.services import withdrawals_fail_refused_holds


@shared_task(name="funds.withdrawals.tasks.fail_refused_withdrawal_holds", time_limit=300, soft_time_limit=240)
def fail_refused_withdrawal_holds() -> int:
    """Every minute (see `BEAT_SCHEDULE`): withdrawals whose hold the platform refused for good fail and give
    the hold back."""
    return len(withdrawals_fail_refused_holds())


# The lead adds these to crm/celery.py's beat_schedule (periodic schedules live in code).
BEAT_SCHEDULE = {
    "fail-refused-withdrawal-holds": {
        "task": "funds.withdrawals.tasks.fail_refused_withdrawal_holds",
        "schedule": 60.0,
    },
}
