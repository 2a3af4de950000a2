"""Writes of the trade mirror: copy closed deals from every trading server, and re-read recent ones.

`deals_sync` asks a server for the deals closed since its watermark, a time window at a time (so
memory stays flat however long the server's history), copies the new ones in bulk and moves the
watermark to the newest close time seen. Deals at exactly the watermark come again and are
skipped by the (server, deal ticket) key, so a deal is copied at most once whatever runs twice or
at the same time. `deals_reread` catches what a platform manager changed afterwards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.trading.mirror import bulk
from clients.trading.mirror.models import DealSyncState
from crm.audit.services import audit_record
from crm.platforms.errors import PlatformError
from crm.platforms.gateway import Deal, PlatformGateway, gateway_for
from crm.platforms.models import TradingServer

logger = logging.getLogger(__name__)

INGEST_BATCH_SIZE = 50_000
REREAD_TABLE = "mirror_deal_reread"
# An empty window doubles the next one, up to this many base windows: a quiet past is read in fewer calls,
# and at worst this many windows' deals are in memory at once.
MAX_WINDOW_GROWTH = 8


@dataclass(frozen=True)
class RereadResult:
    # Deals whose figures the platform changed (revision bumped), deals it no longer has (vanished),
    # and deals it has that the mirror had missed (copied now).
    changed: int
    vanished: int
    added: int = 0


def symbol_groups_of(gateway: PlatformGateway) -> dict[str, str]:
    """Symbol name → symbol group, from the server's symbol list (one call)."""
    return {symbol.name: str(symbol.group) for symbol in gateway.symbols()}


def _batches(deals: Iterable[Deal], size: int) -> Iterator[list[Deal]]:
    iterator = iter(deals)
    while batch := list(islice(iterator, size)):
        yield batch


def deals_ingest(
    *, server: TradingServer, deals: Iterable[Deal], symbol_groups: Mapping[str, str] | None = None
) -> int:
    """Copy `deals` of `server` into the mirror, in batches, skipping tickets it has; returns how many are new.

    Logins that are not our trading accounts are kept with `trading_account` null. Without
    `symbol_groups`, the server's symbol list is asked once.
    """
    groups = symbol_groups if symbol_groups is not None else symbol_groups_of(gateway_for(server))
    synced_at = timezone.now()
    new = 0
    for batch in _batches(deals, INGEST_BATCH_SIZE):
        with transaction.atomic():
            bulk.import_table_reset()
            if bulk.import_table_load(batch, groups):
                new += bulk.insert_new(server_id=server.pk, synced_at=synced_at)
    return new


def _state_of(server: TradingServer) -> None:
    """Make sure the server's sync state row exists (concurrent callers: one row, nobody fails)."""
    DealSyncState.objects.bulk_create([DealSyncState(server=server)], ignore_conflicts=True)


def history_start() -> datetime:
    """Where a server never synced is read from."""
    return datetime.fromisoformat(settings.MIRROR_HISTORY_START).replace(tzinfo=UTC)


def _windows(since: datetime, window: timedelta, now: datetime) -> tuple[datetime, datetime | None]:
    """The window [since, until) to read; the last one (reaching now) is open-ended."""
    until = since + window
    return since, (until if until < now else None)


def deals_sync(*, server_id: int, deadline: float | None = None) -> int:
    """Copy the server's deals closed since its watermark; returns how many are new.

    A time window at a time: ask the platform (holding no lock, so a slow platform blocks no
    writer), then in one transaction holding the server's sync state row copy the new deals and
    move the watermark forward (never back: two runs at once copy each deal once and agree on the
    watermark). A platform error leaves the watermark where it is and is logged; transient ones
    (timeout, unavailable) are raised again for the task to retry. With `deadline` (a
    `time.monotonic()` value) it stops between windows once that has passed; the next run goes on
    from the watermark.
    """
    server = TradingServer.objects.get(pk=server_id)
    base = timedelta(hours=settings.MIRROR_SYNC_WINDOW_HOURS)
    window, cursor, copied = base, None, 0
    try:
        gateway = gateway_for(server)
        groups = symbol_groups_of(gateway)
        _state_of(server)
        while True:
            watermark = DealSyncState.objects.values_list("watermark", flat=True).get(server=server)
            marks = [mark for mark in (watermark, cursor) if mark is not None]
            since, until = _windows(max(marks) if marks else history_start(), window, timezone.now())
            deals = gateway.closed_deals(None, since, until=until)
            with transaction.atomic():
                state = DealSyncState.objects.select_for_update().get(server=server)
                copied += deals_ingest(server=server, deals=deals, symbol_groups=groups)
                if deals:
                    newest = max(deal.close_time for deal in deals)
                    state.watermark = max(state.watermark, newest) if state.watermark else newest
                state.last_run_at, state.last_run_deals = timezone.now(), copied
                state.save(update_fields=["watermark", "last_run_at", "last_run_deals"])
            if until is None or (deadline is not None and time.monotonic() > deadline):
                return copied
            window = min(window * 2, base * MAX_WINDOW_GROWTH) if not deals else base
            cursor, deals = until, []
    except PlatformError as error:
        logger.warning("Deal sync of server %s stopped (%s): %s", server.pk, error.code, error.message)
        if error.is_transient:
            raise
        return copied


def deals_sync_all(*, deadline: float | None = None) -> int:
    """Sync every enabled server; a server that fails does not stop the others (its first transient error is
    raised at the end, for the task to retry)."""
    copied, failure = 0, None
    for server_id in TradingServer.objects.filter(is_enabled=True).order_by("pk").values_list("pk", flat=True):
        try:
            copied += deals_sync(server_id=server_id, deadline=deadline)
        except PlatformError as error:
            failure = failure or error
    if failure is not None:
        raise failure
    return copied


def deals_reread(*, server_id: int, since: datetime) -> RereadResult:
    """Compare the server's deals closed since `since` with the mirror, set-based.

    A mirrored deal whose volume, profit, commission, swap, spread cost or symbol changed gets the
    platform's figures and `revision + 1`; one the platform no longer returns gets `vanished_at`
    (rows are never deleted); one the mirror missed is copied. Deals already vanished are left as
    they are. The platform's deals are read a window at a time into a scratch table (no lock held,
    memory flat), then compared in one transaction holding the server's sync state row.
    """
    server = TradingServer.objects.get(pk=server_id)
    gateway = gateway_for(server)
    groups = symbol_groups_of(gateway)
    window = timedelta(hours=settings.MIRROR_SYNC_WINDOW_HOURS)
    _state_of(server)
    bulk.import_table_reset(REREAD_TABLE, for_session=True)
    try:
        start, until = _windows(since, window, timezone.now())
        while until is not None:
            bulk.import_table_load(gateway.closed_deals(None, start, until=until), groups, REREAD_TABLE)
            start, until = _windows(until, window, timezone.now())
        # Deals that close after this are not in the read: the sync may copy them meanwhile, and they are
        # not gone from the platform.
        read_at = timezone.now()
        bulk.import_table_load(gateway.closed_deals(None, start), groups, REREAD_TABLE)
        with transaction.atomic():
            state = DealSyncState.objects.select_for_update().get(server=server)
            now = timezone.now()
            added = bulk.insert_new(server_id=server.pk, synced_at=now, table=REREAD_TABLE)
            result = RereadResult(
                changed=bulk.update_changed(server_id=server.pk, table=REREAD_TABLE),
                vanished=bulk.mark_vanished(
                    server_id=server.pk, since=since, until=read_at, now=now, table=REREAD_TABLE
                ),
                added=added,
            )
            state.last_reread_at = now
            state.save(update_fields=["last_reread_at"])
            if result.changed or result.vanished or result.added:
                audit_record(
                    actor=None,
                    action="closed_deals.reread",
                    target=state,
                    data={"since": since.isoformat(), **vars(result)},
                )
    finally:
        bulk.import_table_drop(REREAD_TABLE)
    return result


def deals_reread_recent(*, days: int | None = None) -> dict[int, RereadResult]:
    """Re-read the last `days` (settings.IB_REREAD_DAYS) of every enabled server; a failing server is logged
    and skipped (its first transient error is raised at the end)."""
    since = timezone.now() - timedelta(days=days if days is not None else settings.IB_REREAD_DAYS)
    results, failure = {}, None
    for server_id in TradingServer.objects.filter(is_enabled=True).order_by("pk").values_list("pk", flat=True):
        try:
            results[server_id] = deals_reread(server_id=server_id, since=since)
        except PlatformError as error:
            logger.warning("Deal re-read of server %s failed (%s): %s", server_id, error.code, error.message)
            if error.is_transient:
                failure = failure or error
    if failure is not None:
        raise failure
    return results
