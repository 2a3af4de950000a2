"""Celery tasks of rebate payouts: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from ib.payouts.services import payouts_aggregate


@shared_task(name="ib.payouts.tasks.aggregate_payouts", time_limit=1800, soft_time_limit=1700)
def aggregate_payouts() -> int:
    """Hourly (crm/celery.py): gather every IB's due unpaid commission lines into pending payouts."""
    return len(payouts_aggregate())
