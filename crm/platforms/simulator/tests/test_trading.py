from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from crm.platforms.gateway import Deal, gateway_for
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation, SimDeal, SimPendingOrder, SimPosition
from crm.platforms.simulator.trading import simulate_trading
from crm.platforms.tests.factories import TradingServerFactory, open_account

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
UNTIL = START + timedelta(days=14)


def funded_server(seed=7, is_demo=False, deposits=("10000.00", "2500.00")):
    """A server whose accounts were opened and funded at START."""
    server = TradingServerFactory(connection_settings={"seed": seed, "market_seed": 2025}, is_demo=is_demo)
    with time_machine.travel(START, tick=False):
        gateway = gateway_for(server)
        logins = [open_account(gateway, deposit=amount, is_demo=is_demo) for amount in deposits]
    return server, logins


def trades(server, with_ids=True) -> list[tuple]:
    deals = SimDeal.objects.filter(server=server).order_by("close_time", "account__login", "open_time")
    return [
        (
            deal.account.login,
            deal.deal_id if with_ids else None,
            deal.position_id if with_ids else None,
            deal.symbol,
            deal.side,
            deal.volume_lots,
            deal.open_time,
            deal.open_price,
            deal.close_time,
            deal.close_price,
            deal.profit,
            deal.commission,
            deal.swap,
        )
        for deal in deals
    ]


def book(server) -> tuple:
    positions = SimPosition.objects.filter(server=server).order_by("account__login", "open_time")
    orders = SimPendingOrder.objects.filter(server=server).order_by("account__login", "placed_at")
    return (
        [(p.account.login, p.symbol, p.side, p.volume_lots, p.open_time, p.open_price) for p in positions],
        [(o.account.login, o.symbol, o.order_type, o.volume_lots, o.price, o.expires_at) for o in orders],
        list(SimAccount.objects.filter(server=server).order_by("login").values_list("login", "balance")),
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_trades():
    first, _logins = funded_server()
    second, _logins = funded_server()

    simulate_trading(server=first, until=UNTIL)
    simulate_trading(server=second, until=UNTIL)

    assert len(trades(first)) > 20
    assert trades(first) == trades(second)
    assert book(first) == book(second)


@pytest.mark.django_db
def test_the_same_trades_however_the_time_is_split_into_runs():
    one_go, _logins = funded_server()
    in_steps, _logins = funded_server()

    simulate_trading(server=one_go, until=UNTIL)
    moment = START
    while moment < UNTIL:
        moment = min(moment + timedelta(hours=17, minutes=13), UNTIL)
        simulate_trading(server=in_steps, until=moment)

    # Deal ids are handed out server-wide, so the accounts' runs interleave them differently.
    assert trades(one_go, with_ids=False) == trades(in_steps, with_ids=False)
    assert book(one_go) == book(in_steps)


@pytest.mark.django_db
def test_another_seed_gives_other_trades():
    first, _logins = funded_server(seed=1)
    second, _logins = funded_server(seed=2)

    simulate_trading(server=first, until=UNTIL)
    simulate_trading(server=second, until=UNTIL)

    assert [trade[3:] for trade in trades(first)] != [trade[3:] for trade in trades(second)]


@pytest.mark.django_db
def test_simulating_up_to_the_same_moment_again_changes_nothing():
    server, _logins = funded_server()
    simulate_trading(server=server, until=UNTIL)
    before = (trades(server), book(server))

    summary = simulate_trading(server=server, until=UNTIL)

    assert summary.deals == summary.positions_opened == 0
    assert (trades(server), book(server)) == before


@pytest.mark.django_db
def test_the_balance_is_the_ledger_of_money_and_deal_results():
    server, logins = funded_server()
    gateway = gateway_for(server)
    with time_machine.travel(START + timedelta(days=5), tick=False):
        simulate_trading(server=server, until=START + timedelta(days=5))
        gateway.balance_operation(logins[0], "withdrawal", Decimal("100.00"), idempotency_key="w-1")
        gateway.balance_operation(logins[1], "credit_in", Decimal("50.00"), idempotency_key="c-1")
    simulate_trading(server=server, until=UNTIL)

    for login in logins:
        account = SimAccount.objects.get(server=server, login=login)
        money = SimBalanceOperation.objects.filter(account=account)
        deposits = money.filter(kind="deposit").aggregate(total=Sum("amount"))["total"] or 0
        withdrawals = money.filter(kind="withdrawal").aggregate(total=Sum("amount"))["total"] or 0
        results = SimDeal.objects.filter(account=account).aggregate(
            profit=Sum("profit"), commission=Sum("commission"), swap=Sum("swap")
        )
        assert SimDeal.objects.filter(account=account).exists()
        assert account.balance == deposits - withdrawals + results["profit"] + results["commission"] + results["swap"]


@pytest.mark.django_db
def test_trades_look_like_a_market():
    server, logins = funded_server(deposits=("50000.00", "3000.00", "800.00"))

    simulate_trading(server=server, until=START + timedelta(days=30))

    deals = list(SimDeal.objects.filter(server=server))
    assert len(deals) > 60
    assert {deal.symbol for deal in deals} >= {"EURUSD", "XAUUSD", "US30", "BTCUSD"}
    assert all(Decimal("0.01") <= deal.volume_lots <= 5 for deal in deals)
    assert all(deal.open_time < deal.close_time for deal in deals)
    for deal in deals:
        if deal.symbol in ("EURUSD", "GBPUSD", "USDJPY", "AUDUSD", "USDCHF"):
            assert deal.commission == -7 * deal.volume_lots  # 7 USD per lot, round turn
            assert deal.open_time.weekday() < 5 and deal.close_time.weekday() < 5
        if deal.symbol in ("US30", "NAS100", "GER40", "BTCUSD", "ETHUSD"):
            assert deal.commission == 0
    assert any(deal.swap != 0 for deal in deals)
    assert any(deal.profit > 0 for deal in deals) and any(deal.profit < 0 for deal in deals)


@pytest.mark.django_db
def test_demo_accounts_trade_too_and_unfunded_accounts_do_not():
    server, logins = funded_server(is_demo=True, deposits=("10000.00", None))

    simulate_trading(server=server, until=UNTIL)

    funded, unfunded = (SimAccount.objects.get(server=server, login=login) for login in logins)
    assert funded.is_demo
    assert SimDeal.objects.filter(account=funded).exists()
    assert not SimDeal.objects.filter(account=unfunded).exists()
    assert unfunded.simulated_until == UNTIL


@pytest.mark.django_db
def test_only_the_given_logins_trade():
    server, logins = funded_server()

    summary = simulate_trading(server=server, logins=[logins[1]], until=UNTIL)

    assert summary.accounts == 1
    assert set(SimDeal.objects.filter(server=server).values_list("account__login", flat=True)) == {logins[1]}


@pytest.mark.django_db
def test_the_gateway_reports_deals_positions_and_orders():
    server, logins = funded_server()
    simulate_trading(server=server, until=UNTIL)
    gateway = gateway_for(server)
    since = START + timedelta(days=7)

    with time_machine.travel(UNTIL, tick=False):
        deals = gateway.closed_deals(logins, since)
        everyone = gateway.closed_deals(None, START)
        only_first = gateway.closed_deals([logins[0]], START)
        positions = gateway.open_positions(logins)
        orders = gateway.pending_orders(None)

    assert deals and all(isinstance(deal, Deal) and deal.close_time >= since for deal in deals)
    assert [deal.close_time for deal in deals] == sorted(deal.close_time for deal in deals)
    assert len(everyone) == SimDeal.objects.filter(server=server).count()
    assert {deal.login for deal in only_first} == {logins[0]}
    assert [position.position_id for position in positions] == list(
        SimPosition.objects.filter(server=server).order_by("position_id").values_list("position_id", flat=True)
    )
    assert len(orders) == SimPendingOrder.objects.filter(server=server).count()
    assert gateway.closed_deals([], START) == []
