from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from crm.platforms.gateway import AccountState, Side, SymbolGroup
from crm.platforms.simulator.market import DEFAULT_SYMBOLS, Market, swap_nights
from crm.platforms.simulator.models import SimAccount, SimPosition, SimSymbol
from crm.platforms.simulator.services import sim_symbols_install
from crm.platforms.tests.factories import open_account

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def flat_market(db):
    """Every price stays at its base price, so expected values can be worked out by hand."""
    sim_symbols_install()
    SimSymbol.objects.update(daily_volatility_bp=0)


def position(account, symbol, side, lots, open_price, opened=NOW):
    return SimPosition.objects.create(
        server=account.server,
        account=account,
        position_id=SimPosition.objects.count() + 1,
        symbol=symbol,
        side=side,
        volume_lots=Decimal(lots),
        open_time=opened,
        open_price=Decimal(open_price),
        close_at=NOW + timedelta(days=30),
    )


def test_the_same_seed_gives_the_same_prices_and_another_seed_others():
    moments = [datetime(2026, 3, 2, 9, 30, tzinfo=UTC) + timedelta(hours=7 * step) for step in range(40)]
    market, same, other = Market(DEFAULT_SYMBOLS, 1), Market(DEFAULT_SYMBOLS, 1), Market(DEFAULT_SYMBOLS, 2)

    prices = [market.bid(symbol.name, moment) for symbol in DEFAULT_SYMBOLS for moment in moments]

    assert prices == [same.bid(symbol.name, moment) for symbol in DEFAULT_SYMBOLS for moment in moments]
    assert prices != [other.bid(symbol.name, moment) for symbol in DEFAULT_SYMBOLS for moment in moments]
    assert all(price > 0 for price in prices)
    assert market.bid("EURUSD", moments[0]).as_tuple().exponent == -5
    assert market.bid("USDJPY", moments[0]).as_tuple().exponent == -3


def test_prices_walk_around_their_base_and_markets_rest_at_weekends():
    market = Market(DEFAULT_SYMBOLS, 2025)
    friday_close, monday_open = datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 12, tzinfo=UTC)

    assert market.close(market.symbols["EURUSD"], saturday.date()) == market.close(
        market.symbols["EURUSD"], friday_close.date()
    )
    assert market.bid("EURUSD", saturday) == market.bid("EURUSD", monday_open)
    assert market.bid("BTCUSD", saturday) != market.bid("BTCUSD", monday_open)
    for symbol in DEFAULT_SYMBOLS:
        ratio = market.bid(symbol.name, NOW) / symbol.base_price
        assert Decimal("0.5") < ratio < Decimal("2")


def test_the_ask_is_the_bid_plus_the_spread():
    market = Market(DEFAULT_SYMBOLS, 2025)

    assert market.ask("EURUSD", NOW) - market.bid("EURUSD", NOW) == Decimal("0.00010")
    assert market.ask("XAUUSD", NOW) - market.bid("XAUUSD", NOW) == Decimal("0.25")
    assert market.ask("BTCUSD", NOW) - market.bid("BTCUSD", NOW) == Decimal("30.00")


@pytest.mark.parametrize(
    ("opened", "closed", "nights", "crypto_nights"),
    [
        ("2026-03-02 10:00", "2026-03-02 23:00", 0, 0),  # within Monday
        ("2026-03-02 10:00", "2026-03-03 01:00", 1, 1),  # Monday night
        ("2026-03-04 10:00", "2026-03-05 01:00", 3, 1),  # Wednesday night counts three
        ("2026-03-06 10:00", "2026-03-09 10:00", 1, 3),  # over the weekend: Friday night only
        ("2026-03-02 10:00", "2026-03-09 10:00", 7, 7),  # a week
    ],
)
def test_swap_nights(opened, closed, nights, crypto_nights):
    opened_at = datetime.fromisoformat(opened).replace(tzinfo=UTC)
    closed_at = datetime.fromisoformat(closed).replace(tzinfo=UTC)

    assert swap_nights(opened_at, closed_at) == nights
    assert swap_nights(opened_at, closed_at, every_day=True) == crypto_nights


@time_machine.travel(NOW, tick=False)
def test_equity_margin_and_free_margin_are_exact(server, gateway, flat_market):
    login = open_account(gateway, deposit="10000.00")
    gateway.balance_operation(login, "credit_in", Decimal("500.00"), idempotency_key="bonus")
    account = SimAccount.objects.get(server=server, login=login)
    # EURUSD 1 lot bought at 1.08000, bid 1.08500: +0.00500 x 100,000 = +500.00; margin 108,500 / 100 = 1,085.00
    position(account, "EURUSD", Side.BUY, "1", "1.08000")
    # XAUUSD 2 lots sold at 2340.00, ask 2350.25: -10.25 x 100 x 2 = -2,050.00; margin 470,000 / 100 = 4,700.00
    position(account, "XAUUSD", Side.SELL, "2", "2340.00")
    # USDJPY 1 lot bought at 149.000, bid 150.000: 100,000 JPY = 666.67 USD; margin 100,000 USD / 100 = 1,000.00
    position(account, "USDJPY", Side.BUY, "1", "149.000")

    assert gateway.account_state(login) == AccountState(
        login=login,
        currency="USD",
        leverage=100,
        balance=Decimal("10000.00"),
        credit=Decimal("500.00"),
        equity=Decimal("9616.67"),  # 10,000 + 500 + 500 - 2,050 + 666.67
        margin=Decimal("6785.00"),
        free_margin=Decimal("2831.67"),
        margin_level=Decimal("141.73"),  # 9,616.67 / 6,785 x 100
    )
    positions = {item.symbol: item for item in gateway.open_positions([login])}
    assert {name: item.profit for name, item in positions.items()} == {
        "EURUSD": Decimal("500.00"),
        "XAUUSD": Decimal("-2050.00"),
        "USDJPY": Decimal("666.67"),
    }
    assert positions["XAUUSD"].current_price == Decimal("2350.25")  # a sell closes at the ask


@time_machine.travel(NOW, tick=False)
def test_swaps_so_far_count_in_equity_and_margin_is_capped_by_the_symbols_leverage(server, gateway, flat_market):
    login = open_account(gateway, deposit="5000.00", leverage=500)
    account = SimAccount.objects.get(server=server, login=login)
    # Held since Monday morning: Monday and Tuesday nights; EURUSD long swap -6.50 per lot and night.
    position(account, "EURUSD", Side.BUY, "0.5", "1.08510", opened=NOW - timedelta(days=2, hours=2))
    # BTCUSD may use at most 1:20: 1 x 65,000 / 20 = 3,250.00
    position(account, "BTCUSD", Side.BUY, "0.01", "65030.00")

    state = gateway.account_state(login)
    positions = {item.symbol: item for item in gateway.open_positions([login])}

    assert positions["EURUSD"].swap == Decimal("-6.50")  # 0.5 lot x 2 nights x -6.50
    assert positions["EURUSD"].profit == Decimal("-5.00")
    assert positions["BTCUSD"].profit == Decimal("-0.30")
    assert state.margin == Decimal("108.50") + Decimal("32.50")  # 54,250 / 500 and 650 / 20
    assert state.equity == Decimal("5000.00") - Decimal("6.50") - Decimal("5.00") - Decimal("0.30")
    assert state.free_margin == state.equity - state.margin


@time_machine.travel(NOW, tick=False)
def test_accounts_in_other_currencies_are_valued_in_their_currency(server, gateway, flat_market):
    login = open_account(gateway, deposit="1000.00", currency="EUR")
    account = SimAccount.objects.get(server=server, login=login)
    # GER40 profits in EUR already: 1 lot from 17,900.0 to the bid 18,000.0 = +100.00 EUR.
    position(account, "GER40", Side.BUY, "1", "17900.0")
    # EURUSD profits in USD: +108.50 USD / 1.085 = +100.00 EUR.
    position(account, "EURUSD", Side.BUY, "0.1", "1.07415")

    profits = {item.symbol: item.profit for item in gateway.open_positions([login])}

    assert profits == {"GER40": Decimal("100.00"), "EURUSD": Decimal("100.00")}
    assert gateway.account_state(login).equity == Decimal("1200.00")


def test_the_symbols_are_the_markets(gateway):
    symbols = gateway.symbols()

    assert [symbol.name for symbol in symbols] == sorted(spec.name for spec in DEFAULT_SYMBOLS)
    by_name = {symbol.name: symbol for symbol in symbols}
    assert {name: by_name[name].group for name in ("EURUSD", "XAUUSD", "US30", "BTCUSD")} == {
        "EURUSD": SymbolGroup.FOREX,
        "XAUUSD": SymbolGroup.METALS,
        "US30": SymbolGroup.INDICES,
        "BTCUSD": SymbolGroup.CRYPTO,
    }
    assert (by_name["EURUSD"].digits, by_name["EURUSD"].contract_size) == (5, Decimal("100000"))
    assert by_name["GER40"].profit_currency == "EUR"
