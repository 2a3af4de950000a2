"""Celery task of the commission engine: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from ib.commissions.engine import commissions_compute, commissions_reverse_changed


@shared_task(name="ib.commissions.tasks.compute_commissions", time_limit=900, soft_time_limit=840)
def compute_commissions() -> dict[str, int]:
    """Every five minutes (crm/celery.py): price the deals mirrored since the last run, then
    reverse what the platform corrected or deleted. Payouts and the dashboard have their own tasks."""
    return {"computed": commissions_compute(), "reversed": commissions_reverse_changed()}
