from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.trading.mirror.models import ClosedDeal, DealSyncState
from clients.trading.mirror.services import deals_ingest, deals_sync, deals_sync_all
from clients.trading.mirror.tests.conftest import T0, sim_deal
from crm.platforms.errors import PlatformTimeout, PlatformUnavailable
from crm.platforms.gateway import Deal, Side, gateway_for
from crm.platforms.simulator import faults

pytestmark = pytest.mark.django_db


def mirrored(server) -> list[tuple]:
    return list(
        ClosedDeal.objects.filter(server=server)
        .order_by("deal_ticket")
        .values_list(
            "deal_ticket",
            "login",
            "trading_account_id",
            "symbol",
            "symbol_group",
            "side",
            "volume_lots",
            "profit",
            "commission",
            "swap",
            "spread_cost",
            "revision",
            "vanished_at",
        )
    )


def test_sync_copies_every_deal_with_its_account_and_symbol_group(server, platform, deals):
    ours, ours_sim, theirs_sim = platform

    copied = deals_sync(server_id=server.pk)

    assert copied == 4
    assert mirrored(server) == [
        (2_000_001, ours_sim.login, ours.pk, "EURUSD", "forex", "buy", Decimal("1.00"), Decimal("100.00"),
         Decimal("-7.00"), Decimal("0.00"), Decimal("10.00"), 1, None),
        (2_000_002, ours_sim.login, ours.pk, "XAUUSD", "metals", "sell", Decimal("0.50"), Decimal("-225.00"),
         Decimal("-5.00"), Decimal("-1.25"), Decimal("12.50"), 1, None),
        # Not one of our trading accounts: kept, with no account.
        (2_000_003, theirs_sim.login, None, "EURUSD", "forex", "buy", Decimal("1.00"), Decimal("100.00"),
         Decimal("-7.00"), Decimal("0.00"), Decimal("10.00"), 1, None),
        (2_000_004, ours_sim.login, ours.pk, "EURUSD", "forex", "buy", Decimal("2.00"), Decimal("100.00"),
         Decimal("-7.00"), Decimal("0.00"), Decimal("10.00"), 1, None),
    ]  # fmt: skip
    deal = ClosedDeal.objects.get(deal_ticket=2_000_002)
    assert (deal.position_ticket, deal.open_time, deal.close_time) == (
        2_000_001,
        T0 + timedelta(hours=4),
        T0 + timedelta(hours=5),
    )
    assert (deal.open_price, deal.close_price) == (Decimal("2350.000000"), Decimal("2345.500000"))
    # Ids follow close time, so the commission engine meets deals in the order they closed.
    assert list(ClosedDeal.objects.order_by("id").values_list("deal_ticket", flat=True)) == [
        2_000_001, 2_000_002, 2_000_003, 2_000_004
    ]  # fmt: skip
    state = DealSyncState.objects.get(server=server)
    assert state.watermark == T0 + timedelta(days=1, hours=2)
    assert state.last_run_deals == 4
    assert state.last_run_at is not None


def test_a_second_run_copies_nothing_and_keeps_the_watermark(server, deals):
    deals_sync(server_id=server.pk)
    before = (mirrored(server), DealSyncState.objects.get(server=server).watermark)

    assert deals_sync(server_id=server.pk) == 0

    assert (mirrored(server), DealSyncState.objects.get(server=server).watermark) == before
    assert DealSyncState.objects.get(server=server).last_run_deals == 0


def test_the_watermark_moves_to_the_newest_deal_and_new_deals_follow(server, platform, deals):
    _ours, ours_sim, _theirs = platform
    deals_sync(server_id=server.pk)
    watermark = DealSyncState.objects.get(server=server).watermark
    # One more deal closed at exactly the watermark (asked again: the known one is skipped), one later.
    sim_deal(ours_sim, 2_000_010, watermark)
    sim_deal(ours_sim, 2_000_011, watermark + timedelta(minutes=3))

    assert deals_sync(server_id=server.pk) == 2

    assert ClosedDeal.objects.filter(server=server).count() == 6
    assert DealSyncState.objects.get(server=server).watermark == watermark + timedelta(minutes=3)


def test_a_platform_timeout_leaves_the_watermark_and_copies_nothing(server, platform, deals):
    _ours, ours_sim, _theirs = platform
    deals_sync(server_id=server.pk)
    state = DealSyncState.objects.get(server=server)
    sim_deal(ours_sim, 2_000_020, state.watermark + timedelta(hours=1))
    faults.inject(server, "closed_deals", faults.Fault.TIMEOUT_BEFORE)

    with pytest.raises(PlatformTimeout):
        deals_sync(server_id=server.pk)

    assert ClosedDeal.objects.filter(server=server).count() == 4
    after = DealSyncState.objects.get(server=server)
    assert (after.watermark, after.last_run_at, after.last_run_deals) == (
        state.watermark,
        state.last_run_at,
        state.last_run_deals,
    )
    # The next run (the task's retry) copies it.
    assert deals_sync(server_id=server.pk) == 1


def test_an_unavailable_server_does_not_stop_the_others(server, deals):
    from crm.platforms.tests.factories import TradingServerFactory

    other = TradingServerFactory()
    faults.inject(other, "*", faults.Fault.UNAVAILABLE, times=5)

    with pytest.raises(PlatformUnavailable):
        deals_sync_all()

    assert ClosedDeal.objects.filter(server=server).count() == 4
    assert not DealSyncState.objects.filter(server=other, watermark__isnull=False).exists()


def test_a_long_history_is_read_a_window_at_a_time(server, platform, settings, monkeypatch):
    _ours, ours_sim, _theirs = platform
    settings.MIRROR_SYNC_WINDOW_HOURS = 24
    settings.MIRROR_HISTORY_START = "2026-10-01"
    for day in range(10):
        sim_deal(ours_sim, 3_000_000 + day, T0 + timedelta(days=day, hours=day))
    gateway = type(gateway_for(server))
    asked = []
    original = gateway.closed_deals

    def spy(self, logins, since, *, until=None):
        result = original(self, logins, since, until=until)
        asked.append((since, until, len(result)))
        return result

    monkeypatch.setattr(gateway, "closed_deals", spy)

    assert deals_sync(server_id=server.pk) == 10

    # Empty days before the first deal widen the window (8 days at most); once deals come, a day at a time.
    windows = [(until - since if until else None, count) for since, until, count in asked]
    # Oct 1, 2, 4, 8, 16, 24 and Nov 1 are empty; Nov 1-9 holds 7 deals; then a day each up to the open end.
    assert windows[:10] == [
        (timedelta(days=1), 0),
        (timedelta(days=2), 0),
        (timedelta(days=4), 0),
        (timedelta(days=8), 0),
        (timedelta(days=8), 0),
        (timedelta(days=8), 0),
        (timedelta(days=8), 7),
        (timedelta(days=1), 1),
        (timedelta(days=1), 1),
        (timedelta(days=1), 1),
    ]
    # Up to now: empty again, widening again, and the last window open-ended.
    assert [window for window, _count in windows[10:14]] == [timedelta(days=days) for days in (1, 2, 4, 8)]
    assert {count for _window, count in windows[10:]} == {0}
    assert windows[-1][0] is None
    assert DealSyncState.objects.get(server=server).watermark == T0 + timedelta(days=9, hours=9)


def test_a_run_past_its_deadline_stops_between_windows_and_resumes(server, platform, settings):
    _ours, ours_sim, _theirs = platform
    settings.MIRROR_HISTORY_START = "2026-11-02"
    for day in range(3):
        sim_deal(ours_sim, 3_100_000 + day, T0 + timedelta(days=day))

    assert deals_sync(server_id=server.pk, deadline=0) == 1
    assert DealSyncState.objects.get(server=server).watermark == T0

    assert deals_sync(server_id=server.pk) == 2


def platform_deal(ticket: int, login: int, **figures) -> Deal:
    close = timezone.now() - timedelta(minutes=5)
    values = {
        "deal_id": ticket,
        "position_id": ticket,
        "login": login,
        "symbol": "EURUSD",
        "side": Side.BUY,
        "volume_lots": Decimal("0.10"),
        "open_time": close - timedelta(minutes=30),
        "open_price": Decimal("1.08"),
        "close_time": close,
        "close_price": Decimal("1.09"),
        "profit": Decimal("100.00"),
        "commission": Decimal("-0.70"),
        "swap": Decimal("0.00"),
        "spread_cost": Decimal("1.00"),
        **figures,
    }
    return Deal(**values)


def test_ingest_copies_a_ticket_at_most_once(server, platform):
    ours, _ours_sim, _theirs = platform
    batch = [platform_deal(ticket, ours.login) for ticket in range(1, 6)]

    assert deals_ingest(server=server, deals=batch, symbol_groups={"EURUSD": "forex"}) == 5
    assert deals_ingest(server=server, deals=batch + batch[:2], symbol_groups={"EURUSD": "forex"}) == 0
    assert deals_ingest(server=server, deals=[platform_deal(7, 42), platform_deal(7, 42)], symbol_groups={}) == 1

    assert ClosedDeal.objects.filter(server=server).count() == 6
    # An unknown symbol and an unknown login are kept as they are.
    assert ClosedDeal.objects.filter(deal_ticket=7).values_list("symbol_group", "trading_account_id").get() == (
        "",
        None,
    )


def test_ingest_asks_the_server_for_symbol_groups_when_not_given(server, platform):
    ours, _ours_sim, _theirs = platform

    deals_ingest(server=server, deals=[platform_deal(1, ours.login, symbol="BTCUSD")])

    assert ClosedDeal.objects.get(deal_ticket=1).symbol_group == "crypto"


def test_ingest_in_batches_returns_the_total(server, platform, monkeypatch):
    from clients.trading.mirror import services

    ours, _ours_sim, _theirs = platform
    monkeypatch.setattr(services, "INGEST_BATCH_SIZE", 3)

    new = deals_ingest(server=server, deals=(platform_deal(ticket, ours.login) for ticket in range(1, 9)))

    assert new == 8
    assert ClosedDeal.objects.filter(server=server, trading_account=ours).count() == 8
