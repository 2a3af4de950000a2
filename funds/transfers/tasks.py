"""Celery tasks of transfers: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from funds.transfers.services import transfers_fail_refused_legs


@shared_task(name="funds.transfers.tasks.fail_refused_transfer_legs", time_limit=300, soft_time_limit=240)
def fail_refused_transfer_legs() -> int:
    """Every minute (crm/celery.py): transfers a leg of which the platform refused for good fail, and
    the source gets its money back."""
    return len(transfers_fail_refused_legs())
