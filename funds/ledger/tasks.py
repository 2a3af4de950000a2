"""Celery tasks of the ledger: thin and time-limited."""

from __future__ import annotations

from celery import shared_task

from crm.platforms.models import TradingServer
from crm.users.models import User
from funds.ledger.reconciliation import reconciliation_run


@shared_task(name="funds.ledger.tasks.reconcile_ledger", time_limit=3600, soft_time_limit=3300)
def reconcile_ledger(server_id: int | None = None, started_by_id: int | None = None) -> int:
    """Daily (crm/celery.py), or when staff ask: compare the ledger with the platforms; returns the run's id."""
    server = TradingServer.objects.get(pk=server_id) if server_id is not None else None
    started_by = User.objects.filter(pk=started_by_id).first() if started_by_id is not None else None
    return reconciliation_run(server=server, by=started_by).pk
