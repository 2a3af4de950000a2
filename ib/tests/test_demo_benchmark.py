"""The IB benchmark's own pieces (bench/ib_engine*.py), on small numbers: the network and deal
generator, the bare COPY and the bare `INSERT … SELECT` (checked against the plan rules computed
here in Python). The stages that time other helpers' code run only in the benchmark itself."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.utils import timezone

from bench.ib_engine_data import (
    CAP_PER_LOT,
    CRYPTO_SPREAD_PERCENT,
    DEAL_COLUMNS,
    MIRROR_COLUMNS,
    RATES,
    batches,
    build_network,
    copy_rows,
    deal_rows,
    mirror_values,
)
from bench.ib_engine_sql import (
    SCRATCH_DEALS,
    SCRATCH_LINES,
    bare_commission_lines,
    lines_summary,
    scratch_tables_create,
)
from clients.trading.models import ClosedDeal
from ib.models import ClientAttribution, IbAncestry, IbProfile, RebateAccount

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@pytest.fixture
def network():
    return build_network(clients=60, days=30)


def test_the_network_is_a_three_level_tree_over_the_clients(network):
    assert IbProfile.objects.count() == 111
    assert IbAncestry.objects.filter(depth=2).count() == 100
    assert RebateAccount.objects.filter(is_enabled=True).count() == 111
    assert ClientAttribution.objects.count() == 60
    assert ClientAttribution.objects.filter(ib=network.master).count() == 24  # 40 %
    assert len(network.accounts) == 60


def test_deals_are_deterministic_and_in_close_time_order(network):
    first = list(deal_rows(network, count=200))
    assert first == list(deal_rows(network, count=200))
    assert [row[0] for row in first] == list(range(1, 201))
    closes = [row[DEAL_COLUMNS.index("close_time")] for row in first]
    assert closes == sorted(closes) and network.since <= closes[0] and closes[-1] < network.until
    assert [len(batch) for batch in batches(first, 64)] == [64, 64, 64, 8]


def expected_lines(network) -> dict[tuple[int, int], Decimal]:
    """(deal id, IB id) → amount, by the plan's rules for the benchmark's plan."""
    chain = defaultdict(list)
    for ib_id, ancestor_id, depth in IbAncestry.objects.values_list("ib_id", "ancestor_id", "depth"):
        chain[ib_id].append((depth, ancestor_id))
    owner = dict(ClientAttribution.objects.values_list("client_id", "ib_id"))
    lines = {}
    for deal in ClosedDeal.objects.select_related("trading_account"):
        paid = Decimal(0)
        for level, receiver in sorted(chain[owner[deal.trading_account.user_id]]):
            rates = RATES[level]
            if deal.symbol_group == "crypto":
                raw = (CRYPTO_SPREAD_PERCENT / 100 * deal.spread_cost) if level == 0 else Decimal(0)
            else:
                raw = rates.get(deal.symbol, rates[deal.symbol_group]) * deal.volume_lots
            raw = raw.quantize(CENT, ROUND_HALF_UP)
            amount = min(raw, CAP_PER_LOT * deal.volume_lots - paid)
            paid += raw
            if amount > 0:
                lines[(deal.pk, receiver)] = amount
    return lines


def test_the_bare_insert_select_writes_the_plans_lines(network):
    rows = deal_rows(network, count=400)
    synced = timezone.now()
    assert (
        copy_rows(ClosedDeal._meta.db_table, MIRROR_COLUMNS, (mirror_values(network, row, synced) for row in rows))
        == 400
    )
    scratch_tables_create()

    written = bare_commission_lines(now=synced)

    expected = expected_lines(network)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT deal_id, ib_id, amount, level, currency FROM {SCRATCH_LINES}")  # noqa: S608
        got = {
            (deal, ib): Decimal(str(amount)).quantize(CENT) for deal, ib, amount, _level, _currency in cursor.fetchall()
        }
    assert written == len(expected) == len(got)
    assert got == expected
    # Gold through a sub-sub-IB: 9 + 3 of the 12 per lot, so the third level (the master) gets no line.
    leaves = IbAncestry.objects.filter(depth=2).values("ib_id")
    gold = set(
        ClosedDeal.objects.filter(symbol="XAUUSD", trading_account__user__ib_attributions__ib__in=leaves).values_list(
            "pk", flat=True
        )
    )
    assert gold and not [deal for deal, ib in got if deal in gold and ib == network.master.pk]
    assert lines_summary(SCRATCH_LINES) == (len(expected), f"{sum(expected.values()):.2f}")


def test_the_bare_copy_fills_the_scratch_deal_table(network):
    scratch_tables_create()
    synced = timezone.now()

    count = copy_rows(
        SCRATCH_DEALS, MIRROR_COLUMNS, (mirror_values(network, row, synced) for row in deal_rows(network, count=150))
    )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT deal_ticket) FROM {SCRATCH_DEALS}")  # noqa: S608
        assert cursor.fetchone() == (150, 150)
    assert count == 150
