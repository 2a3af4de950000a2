"""The commission engine's benchmark: `commissions_compute` against one bare `INSERT … SELECT`.

    createdb -h 127.0.0.1 -U postgres crm_ib_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_ib_bench .venv/bin/python bench/ib_commissions.py

Migrates, generates 1,000,000 closed deals of 10,000 clients under a three-level IB tree
(`bench/ib_data.py`, COPY; `--deals`/`--clients` to change), then, on the same data:

- **bare**: one `INSERT … SELECT` over every deal at once, the engine's own pricing SQL with no
  batches, no watermark, no lock, no conflict clause, no audit — the floor of what writing these
  lines can cost;
- **engine**: `commissions_compute()` (50,000-deal batches, each locked, `ON CONFLICT DO NOTHING`,
  watermark, audit row) from an empty line table.

The line table is emptied (TRUNCATE) and analysed before each timed step, and the bare statement
runs twice (before and after the engine) so a warmer cache cannot flatter either side; the ratio is
against the faster bare run. Both must write the same lines (count and sum), or the script fails.
Prints deals/s, the ratio, and peak memory (Python heap by tracemalloc during the run, and the
process's peak RSS). Refuses a database that already holds the benchmark's deals.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.ib_data import generate_ib_deals  # noqa: E402
from crm.platforms.models import TradingServer  # noqa: E402
from ib.commissions import sql  # noqa: E402
from ib.commissions.engine import commissions_compute  # noqa: E402
from ib.models import CommissionLine, CommissionRunState  # noqa: E402


def bare_sql() -> str:
    """The same lines in one statement: the engine's pricing chain over every deal, plain INSERT."""
    return (
        f"INSERT INTO {sql.table(CommissionLine)} ({sql.LINE_COLUMNS})"  # noqa: S608 (model tables)
        + sql.lines_sql(deal_filter="TRUE")
        + " SELECT deal_id, revision, ib_id, client_id, level, 'commission', version_id, rate_id,"
        " lots, paid_c / 100.0, currency, NULL, %(now)s, NULL FROM capped WHERE paid_c > 0"
    )


def empty_lines() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {sql.table(CommissionLine)}")
        cursor.execute(f"ANALYZE {sql.table(CommissionLine)}")
    CommissionRunState.objects.all().delete()


def lines_written() -> tuple[int, object]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(amount) FROM {sql.table(CommissionLine)}")  # noqa: S608
        count, total = cursor.fetchone()
    return count, total


def timed_bare() -> tuple[float, int]:
    empty_lines()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(bare_sql(), sql.params(now=timezone.now()))
        written = cursor.rowcount
    return time.perf_counter() - started, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=50_000)
    arguments = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL (set DATABASE_URL).")
    call_command("migrate", verbosity=0)
    if TradingServer.objects.filter(name="IB bench server").exists():
        sys.exit("The IB benchmark data is already there; use a fresh database (dropdb/createdb).")

    started = time.perf_counter()
    data = generate_ib_deals(arguments.deals, arguments.clients)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"generated {data.deals:,} deals of {len(data.client_ids):,} clients under {len(data.ib_ids)} IBs"
        f" in {generated:.1f} s ({data.deals / generated:,.0f} deals/s, COPY)",
        flush=True,
    )

    bare_first, bare_lines = timed_bare()
    bare_result = lines_written()
    print(f"bare INSERT … SELECT:  {bare_first:6.2f} s, {bare_lines:,} lines", flush=True)

    empty_lines()
    tracemalloc.start()
    started = time.perf_counter()
    engine_lines = commissions_compute(batch_size=arguments.batch_size)
    engine = time.perf_counter() - started
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine_result = lines_written()
    print(f"commissions_compute:   {engine:6.2f} s, {engine_lines:,} lines", flush=True)

    bare_second, _ = timed_bare()
    print(f"bare INSERT … SELECT:  {bare_second:6.2f} s (again)", flush=True)
    if (engine_lines, engine_result) != (bare_lines, bare_result):
        sys.exit(f"engine wrote {engine_lines} lines {engine_result}, bare {bare_lines} lines {bare_result}")

    bare = min(bare_first, bare_second)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{data.deals:,} deals → {engine_lines:,} lines, total {engine_result[1]} USD\n"
        f"engine {engine:.2f} s = {data.deals / engine:,.0f} deals/s; bare {bare:.2f} s = {data.deals / bare:,.0f}"
        f" deals/s; ratio {engine / bare:.2f}× (target ≤ 3×, under 30 s)\n"
        f"peak Python heap during the run {heap_peak / 1024 / 1024:.1f} MB; peak RSS of the process {peak_rss:.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    main()
