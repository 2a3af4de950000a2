"""Celery tasks of the IB dashboard: thin wrappers around `daily_figures_refresh`."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from ib.dashboard.services import company_today, daily_figures_refresh


@shared_task(name="ib.dashboard.tasks.refresh_daily_figures", time_limit=600, soft_time_limit=540)
def refresh_daily_figures(days: int | None = None) -> int:
    """Every 5 minutes (crm/celery.py): yesterday and today. Nightly with `days`: the last `days` days
    again, for what changes after the fact (deals corrected or deleted on the platform, attributions
    reassigned from a past date)."""
    since = None if days is None else company_today() - dt.timedelta(days=days)
    return daily_figures_refresh(since=since)
