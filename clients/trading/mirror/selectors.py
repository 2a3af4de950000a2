"""Reads of the trade mirror, shared by reports, the IB portal and the commission engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, QuerySet

from clients.trading.mirror.models import ClosedDeal, DealSyncState


def closed_deals_of_accounts(
    *,
    account_ids: Iterable[int],
    start: datetime | None = None,
    end: datetime | None = None,
    include_vanished: bool = False,
) -> QuerySet[ClosedDeal]:
    """The mirrored deals of these trading accounts closed in [start, end), newest first.

    Deals deleted on the platform (`vanished_at` set) are left out unless asked for.
    """
    deals = ClosedDeal.objects.filter(trading_account_id__in=list(account_ids)).select_related("trading_account")
    if start is not None:
        deals = deals.filter(close_time__gte=start)
    if end is not None:
        deals = deals.filter(close_time__lt=end)
    if not include_vanished:
        deals = deals.filter(vanished_at__isnull=True)
    return deals.order_by("-close_time", "-id")


def deal_sync_states() -> QuerySet[DealSyncState]:
    return DealSyncState.objects.select_related("server").order_by("server__name")


def deals_last_synced_at() -> datetime | None:
    """When the mirror last finished a sync of any server (what figures read from it are as of)."""
    return DealSyncState.objects.aggregate(last=Max("last_run_at"))["last"]
