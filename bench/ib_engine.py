"""The IB engine benchmark: 1,000,000 closed deals over 10,000 clients under a three-level IB tree.

    createdb -h 127.0.0.1 -U postgres crm_ib_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_ib_bench .venv/bin/python bench/ib_engine.py
    # --deals 1000000 --clients 10000 --batch 50000 --reads 200

PostgreSQL only (COPY). Runs `migrate`, builds the network (`bench/ib_engine_data.py`), then times,
each beside its bare yardstick in the same run:

1. a bare COPY of the deals into a scratch table shaped like the mirror's, then the sync-ingest:
   `clients.trading.mirror.services.deals_ingest` on the same deals as gateway `Deal`s, in batches
   (each batch is built before its clock starts, for both);
2. the commission run `ib.commissions.engine.commissions_compute`, then one bare `INSERT … SELECT`
   writing the same lines into a scratch table (`bench/ib_engine_sql.py`), and whether they agree;
3. the payout aggregation `ib.payouts.services.payouts_aggregate`;
4. the dashboard refresh `ib.dashboard.services.daily_figures_refresh`;
5. the dashboard read of the biggest IB, `ib.dashboard.selectors.dashboard_cards` (p50/p99 of
   `--reads` reads, this month and the whole year).

Prints deals/s, the ratios to the bare statements, the targets, and the process's peak memory
(ru_maxrss) after 25 % of the deals and after all of them, so its flatness in the deal count shows.
Refuses to run on a database that has the benchmark's network already: give it a fresh one.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.ib_engine_data import (  # noqa: E402
    MASTER_EMAIL,
    MIRROR_COLUMNS,
    BenchNetwork,
    batches,
    build_network,
    copy_rows,
    deal_rows,
    gateway_deal,
    mirror_values,
)
from bench.ib_engine_sql import (  # noqa: E402
    SCRATCH_DEALS,
    SCRATCH_LINES,
    bare_commission_lines,
    lines_summary,
    scratch_tables_create,
    scratch_tables_drop,
)
from crm.users.models import User  # noqa: E402

INGEST_TARGET = 100_000  # deals/s
COMMISSION_RATIO_TARGET, COMMISSION_SECONDS_TARGET = 3.0, 30.0
DASHBOARD_TARGET_MS = 50.0


def peak_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def stage_bare_copy(network: BenchNetwork, *, deals: int, batch: int) -> float:
    """Seconds COPY takes to write the deals (as mirror rows) into the scratch deal table."""
    synced, seconds = timezone.now(), 0.0
    for rows in batches(deal_rows(network, count=deals), batch):
        values = [mirror_values(network, row, synced) for row in rows]
        _count, spent = timed(lambda values=values: copy_rows(SCRATCH_DEALS, MIRROR_COLUMNS, values))
        seconds += spent
    return seconds


def stage_ingest(network: BenchNetwork, *, deals: int, batch: int) -> tuple[float, int, dict[int, float]]:
    """Seconds `deals_ingest` takes on the deals in batches, rows it reported new, peak MB by deals done."""
    from clients.trading.mirror.services import deals_ingest

    seconds, new, done, peaks = 0.0, 0, 0, {}
    quarter = deals // 4
    for rows in batches(deal_rows(network, count=deals), batch):
        gateway_deals = [gateway_deal(row) for row in rows]
        count, spent = timed(
            lambda gateway_deals=gateway_deals: deals_ingest(
                server=network.server, deals=gateway_deals, symbol_groups=network.symbol_groups
            )
        )
        seconds, new, done = seconds + spent, new + count, done + len(rows)
        if done >= quarter and quarter not in peaks:
            peaks[quarter] = peak_mb()
    peaks[done] = peak_mb()
    return seconds, new, peaks


def stage_commissions() -> tuple[int, float]:
    from ib.commissions.engine import commissions_compute

    return timed(commissions_compute)


def stage_bare_lines() -> tuple[int, float]:
    return timed(lambda: bare_commission_lines(now=timezone.now()))


def stage_payouts() -> tuple[int, float]:
    from ib.payouts.services import payouts_aggregate

    ids, seconds = timed(lambda: payouts_aggregate(now=timezone.now() + timedelta(minutes=1)))
    return len(ids), seconds


def stage_dashboard_refresh() -> tuple[int, float]:
    from ib.dashboard.services import daily_figures_refresh

    return timed(daily_figures_refresh)


def stage_dashboard_reads(network: BenchNetwork, *, reads: int) -> dict[str, tuple[float, float]]:
    """p50 and p99 in ms of the biggest IB's dashboard cards, for this month and the whole year."""
    from ib.dashboard.selectors import dashboard_cards

    ranges = {
        "this_month": {"date_type": "this_month", "start": None, "end": None},
        "the year": {
            "date_type": "custom",
            "start": timezone.localdate(network.since),
            "end": timezone.localdate(network.until),
        },
    }
    figures = {}
    for label, arguments in ranges.items():
        times = []
        for _read in range(reads):
            _cards, seconds = timed(lambda arguments=arguments: dashboard_cards(ib=network.master, **arguments))
            times.append(seconds * 1000)
        times.sort()
        figures[label] = (statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))])
    return figures


def bare_only(network: BenchNetwork, *, deals: int, batch: int) -> None:
    synced, seconds = timezone.now(), 0.0
    for rows in batches(deal_rows(network, count=deals), batch):
        values = [mirror_values(network, row, synced) for row in rows]
        _count, spent = timed(lambda values=values: copy_rows("trading_closeddeal", MIRROR_COLUMNS, values))
        seconds += spent
    print(f"COPY into the mirror table (not the ingest): {deals / seconds:,.0f} deals/s; peak {peak_mb():.0f} MB")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    bare_lines, bare_seconds = stage_bare_lines()
    print(f"bare INSERT … SELECT: {bare_lines:,} lines in {bare_seconds:.2f} s; peak {peak_mb():.0f} MB")
    print(f"lines (count, total): {lines_summary(SCRATCH_LINES)}")
    scratch_tables_drop()


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument(
        "--bare-only",
        action="store_true",
        help="Only the yardsticks: the bare COPY, then the deals COPied into the mirror table (in place of the "
        "ingest) and the bare INSERT … SELECT — what runs before the mirror and engine code is there.",
    )
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The IB benchmark runs on PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    if User.objects.filter(email=MASTER_EMAIL).exists():
        sys.exit("This database has the benchmark's network already: give the benchmark a fresh database.")
    deals = options.deals
    network, seconds = timed(lambda: build_network(clients=options.clients))
    print(f"network: {options.clients:,} clients under 111 IBs in {seconds:.1f} s; peak {peak_mb():.0f} MB", flush=True)
    scratch_tables_create()

    copy_seconds = stage_bare_copy(network, deals=deals, batch=options.batch)
    print(f"bare COPY: {deals:,} deals in {copy_seconds:.2f} s = {deals / copy_seconds:,.0f} deals/s", flush=True)
    if options.bare_only:
        bare_only(network, deals=deals, batch=options.batch)
        return
    ingest_seconds, new, peaks = stage_ingest(network, deals=deals, batch=options.batch)
    print(
        f"sync-ingest: {new:,} new of {deals:,} in {ingest_seconds:.2f} s = {deals / ingest_seconds:,.0f} deals/s "
        f"({ingest_seconds / copy_seconds:.2f}× the bare COPY); target ≥ {INGEST_TARGET:,}/s: "
        f"{verdict(deals / ingest_seconds >= INGEST_TARGET)}",
        flush=True,
    )
    print("peak memory by deals ingested: " + ", ".join(f"{count:,}: {mb:.0f} MB" for count, mb in peaks.items()))

    with connection.cursor() as cursor:  # fresh statistics for both the engine and the bare statement
        cursor.execute("ANALYZE")
    lines, engine_seconds = stage_commissions()
    print(f"commission run: {lines:,} lines in {engine_seconds:.2f} s; peak {peak_mb():.0f} MB", flush=True)
    bare_lines, bare_seconds = stage_bare_lines()
    ratio = engine_seconds / bare_seconds
    print(
        f"bare INSERT … SELECT: {bare_lines:,} lines in {bare_seconds:.2f} s; the run is {ratio:.2f}× it; target "
        f"≤ {COMMISSION_RATIO_TARGET}× and < {COMMISSION_SECONDS_TARGET:.0f} s: "
        f"{verdict(ratio <= COMMISSION_RATIO_TARGET and engine_seconds < COMMISSION_SECONDS_TARGET)}",
        flush=True,
    )
    engine, bare = lines_summary("ib_commissionline"), lines_summary(SCRATCH_LINES)
    print(f"same lines (count, total): engine {engine}, bare {bare}: {'yes' if engine == bare else 'NO'}")

    payouts, payout_seconds = stage_payouts()
    print(f"payout aggregation: {payouts:,} payouts in {payout_seconds:.2f} s; peak {peak_mb():.0f} MB", flush=True)
    figures, refresh_seconds = stage_dashboard_refresh()
    print(f"dashboard refresh: {figures:,} daily figures in {refresh_seconds:.2f} s", flush=True)
    for label, (p50, p99) in stage_dashboard_reads(network, reads=options.reads).items():
        print(
            f"dashboard of the biggest IB ({label}), {options.reads} reads: p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
            f"target < {DASHBOARD_TARGET_MS:.0f} ms: {verdict(p99 < DASHBOARD_TARGET_MS)}"
        )
    print(f"peak memory of the whole run: {peak_mb():.0f} MB")
    scratch_tables_drop()


if __name__ == "__main__":
    main()
