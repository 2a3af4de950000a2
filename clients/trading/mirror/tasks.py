"""Celery tasks of the trade mirror: thin, idempotent, time-limited."""

from __future__ import annotations

import time

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from clients.trading.mirror.services import deals_reread_recent, deals_sync_all
from crm.platforms.errors import PlatformError

# Leaves the soft time limit room for the window that is running when it passes.
SYNC_TIME_BUDGET_SECONDS = 45


@shared_task(
    bind=True, name="clients.trading.mirror.tasks.sync_deals", time_limit=120, soft_time_limit=90, max_retries=3
)
def sync_deals(self) -> int:
    """Every minute (crm/celery.py): copy new closed deals from every enabled server; retried on transient errors."""
    try:
        return deals_sync_all(deadline=time.monotonic() + SYNC_TIME_BUDGET_SECONDS)
    except PlatformError as error:
        if not error.is_transient:
            raise
        countdown = get_exponential_backoff_interval(factor=5, retries=self.request.retries, maximum=60)
        raise self.retry(exc=error, countdown=countdown) from error


@shared_task(
    bind=True,
    name="clients.trading.mirror.tasks.reread_recent_deals",
    time_limit=3600,
    soft_time_limit=3300,
    max_retries=3,
)
def reread_recent_deals(self) -> dict[str, dict[str, int]]:
    """Nightly (crm/celery.py): compare the last IB_REREAD_DAYS days of deals with the platforms'."""
    try:
        results = deals_reread_recent()
    except PlatformError as error:
        if not error.is_transient:
            raise
        countdown = get_exponential_backoff_interval(factor=60, retries=self.request.retries, maximum=1800)
        raise self.retry(exc=error, countdown=countdown) from error
    return {str(server_id): vars(result) for server_id, result in results.items()}
