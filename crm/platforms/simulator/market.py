"""The simulated market: deterministic prices from a seeded random walk, and what trading costs.

A symbol's closing price on day d is the previous close moved by a seeded shock (about its daily
volatility) and pulled gently back towards its base price; within the day the price runs through 25
hourly points (a seeded bridge from the previous close to the close) and is interpolated between
them. The randomness is integers from `random.Random(<seed>:<symbol>:<day>)`; everything after that
is `Decimal`, so the same seed gives the same prices everywhere. Forex, metals and indices do not
move at weekends; crypto does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from random import Random
from typing import Any

from crm.platforms.gateway import Side, SymbolGroup

EPOCH = date(2025, 1, 1)
CENT = Decimal("0.01")
# The standard deviation of the sum of four uniform integers in [-1000, 1000].
SHOCK_SD = Decimal("1154.7")
REVERSION = Decimal("0.02")
# How far from the straight line the hourly points may wander: sqrt(h(24-h))/24 of the daily volatility.
BRIDGE = [Decimal(hour * (24 - hour)).sqrt() / 24 for hour in range(25)]
HOUR_US = 3_600_000_000

# Value in USD of one unit of each currency the simulator keeps accounts in. Pairs of the market
# replace these where they exist (EUR from EURUSD, JPY from USDJPY, …).
REFERENCE_USD_VALUE = {
    "USD": Decimal(1),
    "USC": Decimal("0.01"),  # cent accounts
    "EUR": Decimal("1.085"),
    "GBP": Decimal("1.27"),
    "AUD": Decimal("0.66"),
    "JPY": Decimal(1) / Decimal(150),
    "CHF": Decimal(1) / Decimal("0.88"),
    "CNY": Decimal(1) / Decimal("7.2"),
    "HKD": Decimal(1) / Decimal("7.8"),
    "SGD": Decimal(1) / Decimal("1.35"),
}
SUPPORTED_CURRENCIES = frozenset(REFERENCE_USD_VALUE)
# currency: (pair, True when the currency is the pair's base, so its value is the price itself)
PAIR_FOR_CURRENCY = {
    "EUR": ("EURUSD", True),
    "GBP": ("GBPUSD", True),
    "AUD": ("AUDUSD", True),
    "JPY": ("USDJPY", False),
    "CHF": ("USDCHF", False),
}


@dataclass(frozen=True)
class SymbolSpec:
    name: str
    group: str
    description: str
    digits: int
    contract_size: Decimal
    profit_currency: str
    base_price: Decimal
    daily_volatility_bp: int
    spread_points: int
    commission_per_lot: Decimal
    swap_long: Decimal
    swap_short: Decimal
    max_leverage: int
    trades_on_weekends: bool = False


def _spec(name, group, description, digits, contract, currency, price, vol, spread, commission, long, short, lev):
    return SymbolSpec(
        name=name,
        group=group,
        description=description,
        digits=digits,
        contract_size=Decimal(contract),
        profit_currency=currency,
        base_price=Decimal(price),
        daily_volatility_bp=vol,
        spread_points=spread,
        commission_per_lot=Decimal(commission),
        swap_long=Decimal(long),
        swap_short=Decimal(short),
        max_leverage=lev,
        trades_on_weekends=group == SymbolGroup.CRYPTO,
    )


FX, METAL, INDEX, CRYPTO = SymbolGroup.FOREX, SymbolGroup.METALS, SymbolGroup.INDICES, SymbolGroup.CRYPTO
DEFAULT_SYMBOLS = [
    _spec("EURUSD", FX, "Euro vs US Dollar", 5, "100000", "USD", "1.08500", 55, 10, "7", "-6.50", "1.20", 500),
    _spec("GBPUSD", FX, "Pound vs US Dollar", 5, "100000", "USD", "1.27000", 65, 14, "7", "-4.80", "0.50", 500),
    _spec("USDJPY", FX, "US Dollar vs Yen", 3, "100000", "JPY", "150.000", 60, 12, "7", "12.00", "-25.00", 500),
    _spec("AUDUSD", FX, "Aussie vs US Dollar", 5, "100000", "USD", "0.66000", 70, 12, "7", "-2.90", "-1.10", 500),
    _spec("USDCHF", FX, "US Dollar vs Swiss Franc", 5, "100000", "CHF", "0.88000", 55, 15, "7", "4.50", "-11.00", 500),
    _spec("XAUUSD", METAL, "Gold vs US Dollar", 2, "100", "USD", "2350.00", 110, 25, "10", "-45.00", "22.00", 200),
    _spec("XAGUSD", METAL, "Silver vs US Dollar", 3, "5000", "USD", "28.000", 180, 30, "10", "-6.00", "2.00", 100),
    _spec("US30", INDEX, "Wall Street 30", 1, "1", "USD", "39000.0", 100, 20, "0", "-8.00", "-3.00", 100),
    _spec("NAS100", INDEX, "US Tech 100", 1, "1", "USD", "18000.0", 130, 15, "0", "-4.00", "-1.50", 100),
    _spec("GER40", INDEX, "Germany 40", 1, "1", "EUR", "18000.0", 110, 15, "0", "-3.50", "-1.20", 100),
    _spec("BTCUSD", CRYPTO, "Bitcoin vs US Dollar", 2, "1", "USD", "65000.00", 350, 3000, "0", "-20.00", "-20.00", 20),
    _spec("ETHUSD", CRYPTO, "Ethereum vs US Dollar", 2, "1", "USD", "3500.00", 420, 250, "0", "-2.00", "-2.00", 20),
]


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def lots_floor(lots: Decimal) -> Decimal:
    return lots.quantize(CENT, rounding=ROUND_DOWN)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _shock(rng: Random) -> Decimal:
    """About one standard deviation: the sum of four uniform integers, scaled."""
    return Decimal(sum(rng.randint(-1000, 1000) for _ in range(4))) / SHOCK_SD


# Daily closes depend only on the seed and the symbol's parameters; they are kept between markets.
_CLOSES: dict[tuple[Any, ...], list[Decimal]] = {}
_CLOSES_LOCK = threading.Lock()


class Market:
    """Prices and trading costs of a set of symbols (SimSymbol rows or SymbolSpecs) under one seed."""

    def __init__(self, symbols: Iterable[Any], seed: int | str) -> None:
        self.symbols = {symbol.name: symbol for symbol in symbols}
        self.seed = seed
        self._paths: dict[tuple[str, date], list[Decimal]] = {}

    # --- prices ---------------------------------------------------------------------------------------

    def _moves(self, symbol: Any, day: date) -> bool:
        return symbol.daily_volatility_bp > 0 and (symbol.trades_on_weekends or day.weekday() < 5)

    def close(self, symbol: Any, day: date) -> Decimal:
        """The mid price at the end of `day` (UTC)."""
        if day < EPOCH:
            return symbol.base_price
        key = (
            self.seed,
            symbol.name,
            symbol.base_price,
            symbol.daily_volatility_bp,
            symbol.digits,
            symbol.trades_on_weekends,
        )
        index = (day - EPOCH).days
        with _CLOSES_LOCK:
            closes = _CLOSES.setdefault(key, [])
            while len(closes) <= index:
                current = EPOCH + timedelta(days=len(closes))
                previous = closes[-1] if closes else symbol.base_price
                closes.append(self._next_close(symbol, current, previous))
            return closes[index]

    def _next_close(self, symbol: Any, day: date, previous: Decimal) -> Decimal:
        if not self._moves(symbol, day):
            return previous
        rng = Random(f"{self.seed}:{symbol.name}:{day.isoformat()}:close")  # noqa: S311 (a reproducible market)
        volatility = Decimal(symbol.daily_volatility_bp) / 10_000
        pull = REVERSION * (symbol.base_price - previous) / symbol.base_price
        close = previous * (1 + _shock(rng) * volatility + pull)
        return close.quantize(Decimal(10) ** -(symbol.digits + 3))

    def _hourly(self, symbol: Any, day: date) -> list[Decimal]:
        path = self._paths.get((symbol.name, day))
        if path is not None:
            return path
        start, end = self.close(symbol, day - timedelta(days=1)), self.close(symbol, day)
        if not self._moves(symbol, day):
            path = [start + (end - start) * hour / 24 for hour in range(25)]
        else:
            rng = Random(f"{self.seed}:{symbol.name}:{day.isoformat()}:hours")  # noqa: S311
            volatility = Decimal(symbol.daily_volatility_bp) / 10_000
            path = [start]
            for hour in range(1, 24):
                path.append(start + (end - start) * hour / 24 + start * volatility * BRIDGE[hour] * _shock(rng))
            path.append(end)
        self._paths[(symbol.name, day)] = path
        return path

    def bid(self, name: str, at: datetime) -> Decimal:
        symbol = self.symbols[name]
        at = utc(at)
        path = self._hourly(symbol, at.date())
        since_midnight = (at - at.replace(hour=0, minute=0, second=0, microsecond=0)) // timedelta(microseconds=1)
        hour, rest = divmod(since_midnight, HOUR_US)
        price = path[hour] + (path[hour + 1] - path[hour]) * Decimal(rest) / HOUR_US
        return price.quantize(Decimal(10) ** -symbol.digits, rounding=ROUND_HALF_UP)

    def ask(self, name: str, at: datetime) -> Decimal:
        symbol = self.symbols[name]
        return self.bid(name, at) + Decimal(symbol.spread_points).scaleb(-symbol.digits)

    def price_to_close(self, name: str, side: str, at: datetime) -> Decimal:
        """A buy closes at the bid, a sell at the ask."""
        return self.bid(name, at) if side == Side.BUY else self.ask(name, at)

    def price_to_open(self, name: str, side: str, at: datetime) -> Decimal:
        return self.ask(name, at) if side == Side.BUY else self.bid(name, at)

    # --- money ----------------------------------------------------------------------------------------

    def usd_value(self, currency: str, at: datetime) -> Decimal:
        pair = PAIR_FOR_CURRENCY.get(currency)
        if pair and pair[0] in self.symbols:
            price = self.bid(pair[0], at)
            return price if pair[1] else 1 / price
        return REFERENCE_USD_VALUE[currency]

    def convert(self, amount: Decimal, source: str, target: str, at: datetime) -> Decimal:
        """`amount` of `source` in `target` at `at`, unrounded."""
        if source == target or not amount:
            return amount
        return amount * self.usd_value(source, at) / self.usd_value(target, at)

    def profit(
        self,
        name: str,
        side: str,
        lots: Decimal,
        open_price: Decimal,
        close_price: Decimal,
        currency: str,
        at: datetime,
    ) -> Decimal:
        symbol = self.symbols[name]
        difference = close_price - open_price if side == Side.BUY else open_price - close_price
        return money(self.convert(difference * symbol.contract_size * lots, symbol.profit_currency, currency, at))

    def margin(self, name: str, lots: Decimal, leverage: int, currency: str, at: datetime) -> Decimal:
        """What a position locks: its value at the current price over the leverage (the symbol's cap applies)."""
        symbol = self.symbols[name]
        notional = lots * symbol.contract_size * self.bid(name, at)
        return money(self.convert(notional / min(leverage, symbol.max_leverage), symbol.profit_currency, currency, at))

    def commission(self, name: str, lots: Decimal, currency: str, at: datetime) -> Decimal:
        """The round-turn commission, negative (charged to the client)."""
        symbol = self.symbols[name]
        return -money(self.convert(symbol.commission_per_lot * lots, "USD", currency, at))

    def spread_cost(self, name: str, lots: Decimal, currency: str, at: datetime) -> Decimal:
        """What the spread cost the client on a trade of `lots`: spread × contract size × lots, positive."""
        symbol = self.symbols[name]
        spread = Decimal(symbol.spread_points).scaleb(-symbol.digits)
        return money(self.convert(spread * symbol.contract_size * lots, symbol.profit_currency, currency, at))

    def swap(self, name: str, side: str, lots: Decimal, opened: datetime, at: datetime, currency: str) -> Decimal:
        symbol = self.symbols[name]
        rate = symbol.swap_long if side == Side.BUY else symbol.swap_short
        nights = swap_nights(opened, at, every_day=symbol.trades_on_weekends)
        return money(self.convert(rate * lots * nights, "USD", currency, at))


def swap_nights(opened: datetime, at: datetime, *, every_day: bool = False) -> int:
    """Rollovers (00:00 UTC) between `opened` and `at`: after each weekday, Wednesday's counting three."""
    nights = 0
    day = utc(opened).date() + timedelta(days=1)
    last = utc(at).date()
    while day <= last:
        previous = (day - timedelta(days=1)).weekday()
        if every_day:
            nights += 1
        elif previous < 5:
            nights += 3 if previous == 2 else 1
        day += timedelta(days=1)
    return nights
