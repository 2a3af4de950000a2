"""Periodic simulated trading, so simulator accounts keep producing deals for reports and rebates."""

from __future__ import annotations

from celery import shared_task

from crm.platforms.models import TradingServer
from crm.platforms.simulator.trading import simulate_trading


@shared_task(name="crm.platforms.simulator.tasks.simulate_platform_trading", time_limit=600, soft_time_limit=540)
def simulate_platform_trading() -> int:
    """Every 5 minutes (crm/celery.py): trade up to now on every enabled simulator server. Idempotent."""
    deals = 0
    for server in TradingServer.objects.filter(adapter="simulator", is_enabled=True).order_by("pk"):
        deals += simulate_trading(server=server).deals
    return deals
