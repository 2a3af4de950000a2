"""How fast the trade mirror copies closed deals: `deals_ingest` against a bare COPY of the same rows.

    DATABASE_URL=postgres://…/crm_mirror .venv/bin/python bench/mirror_ingest.py [N=200000]

Makes sure the database has a benchmark server with 10,000 trading accounts (created once), builds
N gateway `Deal`s in memory for them (one in twenty of a login that is none of ours), then times,
in the same run: `deals_ingest` of the N deals (all new), `deals_ingest` of the same N again (all
known: nothing copied), and the baseline, a bare PostgreSQL COPY of the same rows into a scratch
table. Prints deals/s, the ratio to the baseline, and the process's peak memory. Each run adds N
deals to the benchmark server (tickets continue from the last run's).
"""

from __future__ import annotations

import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from clients.trading.mirror import bulk  # noqa: E402
from clients.trading.mirror.models import ClosedDeal  # noqa: E402
from clients.trading.mirror.services import deals_ingest  # noqa: E402
from clients.trading.models import TradingAccount, TradingAccountType  # noqa: E402
from crm.platforms.gateway import Deal, Side  # noqa: E402
from crm.platforms.models import TradingServer  # noqa: E402
from crm.users.models import User  # noqa: E402

SERVER_NAME = "Mirror benchmark server"
ACCOUNTS = 10_000
FIRST_LOGIN = 8_000_000
SYMBOLS = [
    ("EURUSD", "forex", Decimal("1.08500"), Decimal("10")),
    ("XAUUSD", "metals", Decimal("2350.00"), Decimal("25")),
    ("US30", "indices", Decimal("39000.0"), Decimal("2")),
    ("BTCUSD", "crypto", Decimal("65000.00"), Decimal("30")),
]
LOTS = [Decimal(lots) for lots in ("0.01", "0.10", "0.50", "1.00", "2.00")]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def benchmark_server() -> TradingServer:
    server, _created = TradingServer.objects.get_or_create(
        name=SERVER_NAME,
        defaults={"login_range_start": FIRST_LOGIN, "login_range_end": FIRST_LOGIN + 999_999, "is_enabled": False},
    )
    if TradingAccount.objects.filter(server=server).count() < ACCOUNTS:
        user, _created = User.objects.get_or_create(email="mirror-bench@example.com", defaults={"name": "Bench"})
        account_type, _created = TradingAccountType.objects.get_or_create(
            server=server,
            group="bench\\mirror",
            defaults={"name_i18n": {"zh-CN": "基准", "en-US": "Bench"}, "currencies": ["USD"], "min_deposit": 0},
        )
        TradingAccount.objects.bulk_create(
            [
                TradingAccount(
                    user=user,
                    account_type=account_type,
                    server=server,
                    login=FIRST_LOGIN + index,
                    currency="USD",
                    leverage=100,
                    is_demo=False,
                )
                for index in range(ACCOUNTS)
            ],
            ignore_conflicts=True,
            batch_size=5_000,
        )
    return server


def make_deals(count: int, first_ticket: int) -> list[Deal]:
    rng = Random(count)  # noqa: S311 (benchmark data)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    deals = []
    for index in range(count):
        symbol, _group, price, spread = SYMBOLS[index % len(SYMBOLS)]
        lots = LOTS[rng.randrange(len(LOTS))]
        closed = start + timedelta(seconds=index * 3)
        known = rng.randrange(20)
        deals.append(
            Deal(
                deal_id=first_ticket + index,
                position_id=first_ticket + index,
                login=FIRST_LOGIN + rng.randrange(ACCOUNTS) if known else 99_000_000 + index,
                symbol=symbol,
                side=Side.BUY if index % 2 else Side.SELL,
                volume_lots=lots,
                open_time=closed - timedelta(minutes=rng.randrange(1, 600)),
                open_price=price,
                close_time=closed,
                close_price=price + Decimal(rng.randrange(-500, 500)) / 100,
                profit=Decimal(rng.randrange(-50_000, 50_000)) / 100,
                commission=-7 * lots,
                swap=Decimal(rng.randrange(-300, 100)) / 100,
                spread_cost=spread * lots,
                comment="",
            )
        )
    return deals


def bare_copy(deals: list[Deal], groups: dict[str, str]) -> float:
    """The baseline: the same rows, COPY'd into a plain scratch table (no key, no join, no insert into the mirror)."""
    started = time.perf_counter()
    with transaction.atomic():
        bulk.import_table_reset("mirror_bench_baseline")
        bulk.import_table_load(deals, groups, "mirror_bench_baseline")
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    if connection.vendor != "postgresql":
        sys.exit("The baseline is a PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    server = benchmark_server()
    groups = {name: group for name, group, _price, _spread in SYMBOLS}
    first_ticket = (ClosedDeal.objects.filter(server=server).aggregate(last=Max("deal_ticket"))["last"] or 0) + 1
    before_generation = peak_memory_mb()
    deals = make_deals(count, first_ticket)
    print(f"{count:,} deals generated in memory (peak {peak_memory_mb():.0f} MB, was {before_generation:.0f} MB)")

    baseline = bare_copy(deals, groups)
    started = time.perf_counter()
    new = deals_ingest(server=server, deals=deals, symbol_groups=groups)
    ingest = time.perf_counter() - started
    started = time.perf_counter()
    again = deals_ingest(server=server, deals=deals, symbol_groups=groups)
    known = time.perf_counter() - started
    assert (new, again) == (count, 0), (new, again)

    print(f"bare COPY into a scratch table: {baseline:6.2f} s  {count / baseline:>10,.0f} deals/s")
    print(
        f"deals_ingest, all new:          {ingest:6.2f} s  {count / ingest:>10,.0f} deals/s"
        f"  ratio to COPY {ingest / baseline:.2f}"
    )
    print(
        f"deals_ingest, all known:        {known:6.2f} s  {count / known:>10,.0f} deals/s"
        f"  ratio to COPY {known / baseline:.2f}"
    )
    print(f"peak memory of the process: {peak_memory_mb():.0f} MB (the deals themselves held in memory by the caller)")


if __name__ == "__main__":
    main()
