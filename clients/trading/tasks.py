"""Celery tasks of the trading app: thin, idempotent, time-limited."""

from __future__ import annotations

import time

from celery import shared_task

from clients.trading.services.snapshots import account_states_refresh_stale
from crm.platforms.models import TradingServer

# Leaves the task's soft time limit room for the batch that is running.
TIME_BUDGET_SECONDS = 40


@shared_task(name="clients.trading.tasks.refresh_account_states", time_limit=90, soft_time_limit=60)
def refresh_account_states() -> int:
    """Every minute (crm/celery.py): refresh stale account snapshots, server by server, batch by batch."""
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    refreshed = 0
    for server in TradingServer.objects.filter(is_enabled=True).order_by("id"):
        while time.monotonic() < deadline:
            stored = account_states_refresh_stale(server=server)
            refreshed += stored
            if not stored:
                break
    return refreshed


# The mirror's tasks live in a sub-package Celery's autodiscovery does not look into.
from clients.trading.mirror import tasks as _mirror_tasks  # noqa: E402, F401
