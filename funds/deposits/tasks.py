"""Celery tasks of deposits: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from funds.deposits.services import deposits_expire_drafts


@shared_task(name="funds.deposits.tasks.expire_deposit_drafts", time_limit=300, soft_time_limit=240)
def expire_deposit_drafts() -> int:
    """Every five minutes (crm/celery.py): drafts past their time to live become expired."""
    return len(deposits_expire_drafts())
