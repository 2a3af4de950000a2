"""Simulated traders, so demo and live simulator accounts have deals, positions and orders.

Each account's trader follows a plan per day drawn from `Random(<seed>:<login>:<day>)`: market
trades (symbol, side, size, minute, how long it is held) and sometimes a pending order. The
simulation replays those plans in time order from where it stopped (`SimAccount.simulated_until`)
to `until`: it opens positions (sized to the account's money and margin), fills pending orders
when the price reaches them, and closes positions into deals whose profit, commission and swap
change the balance. So the same seed and the same money give the same trades, however the
simulated time is split into runs.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from django.db import transaction
from django.utils import timezone

from crm.platforms.gateway import PendingOrderType, Side, SymbolGroup
from crm.platforms.models import TradingServer
from crm.platforms.simulator.market import Market, lots_floor, utc
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation, SimDeal, SimPendingOrder, SimPosition
from crm.platforms.simulator.services import market_for, next_ticket, sim_accounts, trading_seed

MIN_LOTS, MAX_LOTS = Decimal("0.01"), Decimal(5)
LOT_CHOICES = ["0.01", "0.02", "0.03", "0.05", "0.1", "0.1", "0.2", "0.3", "0.5", "0.5", "1", "1", "2", "3", "5"]
# How often each symbol is traded.
SYMBOL_WEIGHTS = {
    "EURUSD": 20,
    "GBPUSD": 10,
    "USDJPY": 10,
    "AUDUSD": 6,
    "USDCHF": 5,
    "XAUUSD": 18,
    "XAGUSD": 4,
    "US30": 6,
    "NAS100": 8,
    "GER40": 5,
    "BTCUSD": 5,
    "ETHUSD": 3,
}
TRADES_PER_DAY = [(0, 30), (1, 30), (2, 18), (3, 12), (4, 6), (5, 4)]
ORDER_PERCENT = 35
# A trader never holds more than this many times their money in one position, by symbol group.
NOTIONAL_CAP = {SymbolGroup.FOREX: 10, SymbolGroup.METALS: 5, SymbolGroup.INDICES: 5, SymbolGroup.CRYPTO: 2}

# What happens, in this order when at the same moment.
CLOSE, EXPIRE, FILL, OPEN, PLACE = range(5)


@dataclass(frozen=True)
class PlannedTrade:
    time: datetime
    symbol: str
    side: str
    lots: Decimal
    hold_minutes: int


@dataclass(frozen=True)
class PlannedOrder:
    time: datetime
    symbol: str
    order_type: str
    lots: Decimal
    # How far from the price, in hundredths of the symbol's daily volatility.
    distance_percent: int
    expiry_minutes: int
    hold_minutes: int


@dataclass
class SimulationSummary:
    accounts: int = 0
    deals: int = 0
    positions_opened: int = 0
    orders_placed: int = 0

    def add(self, other: SimulationSummary) -> None:
        self.accounts += other.accounts
        self.deals += other.deals
        self.positions_opened += other.positions_opened
        self.orders_placed += other.orders_placed


def _weighted(rng: Random, choices: Sequence[tuple[Any, int]]) -> Any:
    """A choice by integer weights (integers only, so it is the same on every machine)."""
    roll = rng.randrange(sum(weight for _choice, weight in choices))
    for choice, weight in choices:
        if roll < weight:
            return choice
        roll -= weight
    raise AssertionError("unreachable")


def _hold_minutes(rng: Random) -> int:
    style = rng.randrange(100)
    if style < 40:
        return rng.randint(5, 60)  # scalping
    if style < 75:
        return rng.randint(61, 8 * 60)  # intraday
    return rng.randint(24 * 60, 5 * 24 * 60)  # swing


def day_plan(seed: int | str, login: int, day: date, market: Market) -> list[PlannedTrade | PlannedOrder]:
    """What the trader of `login` means to do on `day` (UTC); only crypto trades at weekends."""
    rng = Random(f"{seed}:{login}:{day.isoformat()}")  # noqa: S311 (reproducible, not secret)
    weekend = day.weekday() >= 5
    symbols = [
        (name, SYMBOL_WEIGHTS.get(name, 1))
        for name, symbol in sorted(market.symbols.items())
        if symbol.trades_on_weekends or not weekend
    ]
    if not symbols:
        return []
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    plan: list[PlannedTrade | PlannedOrder] = []
    count = _weighted(rng, TRADES_PER_DAY)
    for _ in range(min(count, 1) if weekend else count):
        plan.append(
            PlannedTrade(
                time=midnight + timedelta(minutes=rng.randrange(24 * 60)),
                symbol=_weighted(rng, symbols),
                side=rng.choice([Side.BUY, Side.SELL]),
                lots=Decimal(rng.choice(LOT_CHOICES)),
                hold_minutes=_hold_minutes(rng),
            )
        )
    if rng.randrange(100) < ORDER_PERCENT:
        plan.append(
            PlannedOrder(
                time=midnight + timedelta(minutes=rng.randrange(24 * 60)),
                symbol=_weighted(rng, symbols),
                order_type=rng.choice(PendingOrderType.values),
                lots=Decimal(rng.choice(LOT_CHOICES)),
                distance_percent=rng.randint(10, 80),
                expiry_minutes=rng.randint(4 * 60, 3 * 24 * 60),
                hold_minutes=_hold_minutes(rng),
            )
        )
    return plan


def _off_weekend(moment: datetime, symbol: Any) -> datetime:
    """Markets that close at weekends close positions on Monday instead."""
    if symbol.trades_on_weekends or moment.weekday() < 5:
        return moment
    return moment + timedelta(days=7 - moment.weekday())


@dataclass(order=True)
class _Event:
    time: datetime
    order: int
    key: tuple[Any, ...]
    item: Any = field(compare=False)


class _AccountSimulation:
    def __init__(self, *, account: SimAccount, market: Market, seed: int | str, until: datetime) -> None:
        self.account, self.market, self.seed, self.until = account, market, seed, until
        self.server = account.server
        self.events: list[_Event] = []
        self.positions = {position.position_id: position for position in SimPosition.objects.filter(account=account)}
        self.summary = SimulationSummary(accounts=1)

    def push(self, time: datetime, order: int, key: tuple[Any, ...], item: Any) -> None:
        heapq.heappush(self.events, _Event(time, order, key, item))

    def run(self) -> SimulationSummary:
        account = self.account
        start = account.simulated_until or account.created_at
        if start >= self.until:
            return SimulationSummary()
        for position in self.positions.values():
            if position.close_at <= self.until:
                self.push(position.close_at, CLOSE, (position.open_time, position.position_id), position)
        for order in SimPendingOrder.objects.filter(account=account).order_by("order_id"):
            self.schedule_order(order, since=start)
        # Nothing is planned before the account first had money.
        funded_at = (
            SimBalanceOperation.objects.filter(account=account)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if funded_at is not None:
            plans_from = utc(max(start, funded_at))
            for day in _days(plans_from.date(), self.until.date()):
                for index, planned in enumerate(day_plan(self.seed, account.login, day, self.market)):
                    if plans_from < planned.time <= self.until:
                        kind = OPEN if isinstance(planned, PlannedTrade) else PLACE
                        self.push(planned.time, kind, (day, index), planned)
        handlers = {CLOSE: self.close, EXPIRE: self.expire, FILL: self.fill, OPEN: self.open, PLACE: self.place}
        while self.events:
            event = heapq.heappop(self.events)
            handlers[event.order](event.time, event.item)
        account.simulated_until = self.until
        account.save(update_fields=["balance", "simulated_until"])
        return self.summary

    # --- sizing ---------------------------------------------------------------------------------------

    def size(self, symbol_name: str, wanted: Decimal, at: datetime) -> Decimal | None:
        """The volume the trader can afford, at most `wanted`; None if not even the minimum."""
        account, market = self.account, self.market
        symbol = market.symbols[symbol_name]
        money = account.balance + account.credit
        if money <= 0:
            return None
        one_lot = market.convert(
            symbol.contract_size * market.bid(symbol_name, at), symbol.profit_currency, account.currency, at
        )
        affordable = lots_floor(money * NOTIONAL_CAP.get(symbol.group, 10) / one_lot)
        lots = min(wanted, affordable, MAX_LOTS)
        if lots < MIN_LOTS:
            return None
        used = sum(
            (
                market.margin(position.symbol, position.volume_lots, account.leverage, account.currency, at)
                for position in self.positions.values()
            ),
            Decimal(0),
        )
        if market.margin(symbol_name, lots, account.leverage, account.currency, at) > money - used:
            return None
        return lots

    # --- events ---------------------------------------------------------------------------------------

    def open_position(
        self, at: datetime, symbol_name: str, side: str, lots: Decimal, price: Decimal, hold: int
    ) -> None:
        symbol = self.market.symbols[symbol_name]
        position = SimPosition.objects.create(
            server=self.server,
            account=self.account,
            position_id=next_ticket(self.server),
            symbol=symbol_name,
            side=side,
            volume_lots=lots,
            open_time=at,
            open_price=price,
            close_at=_off_weekend(at + timedelta(minutes=hold), symbol),
        )
        self.positions[position.position_id] = position
        self.summary.positions_opened += 1
        if position.close_at <= self.until:
            self.push(position.close_at, CLOSE, (position.open_time, position.position_id), position)

    def open(self, at: datetime, planned: PlannedTrade) -> None:
        lots = self.size(planned.symbol, planned.lots, at)
        if lots is not None:
            price = self.market.price_to_open(planned.symbol, planned.side, at)
            self.open_position(at, planned.symbol, planned.side, lots, price, planned.hold_minutes)

    def close(self, at: datetime, position: SimPosition) -> None:
        account, market = self.account, self.market
        close_price = market.price_to_close(position.symbol, position.side, at)
        lots, currency = position.volume_lots, account.currency
        profit = market.profit(position.symbol, position.side, lots, position.open_price, close_price, currency, at)
        commission = market.commission(position.symbol, lots, currency, at)
        swap = market.swap(position.symbol, position.side, lots, position.open_time, at, currency)
        SimDeal.objects.create(
            server=self.server,
            account=account,
            deal_id=next_ticket(self.server),
            position_id=position.position_id,
            symbol=position.symbol,
            side=position.side,
            volume_lots=lots,
            open_time=position.open_time,
            open_price=position.open_price,
            close_time=at,
            close_price=close_price,
            profit=profit,
            commission=commission,
            swap=swap,
            spread_cost=market.spread_cost(position.symbol, lots, currency, at),
        )
        position.delete()
        del self.positions[position.position_id]
        account.balance += profit + commission + swap
        self.summary.deals += 1

    def place(self, at: datetime, planned: PlannedOrder) -> None:
        market = self.market
        symbol = market.symbols[planned.symbol]
        point = Decimal(1).scaleb(-symbol.digits)
        bid, ask = market.bid(planned.symbol, at), market.ask(planned.symbol, at)
        distance = bid * symbol.daily_volatility_bp * planned.distance_percent / 1_000_000
        distance = max(distance.quantize(point), 10 * symbol.spread_points * point)
        price = {
            PendingOrderType.BUY_LIMIT: ask - distance,
            PendingOrderType.SELL_LIMIT: bid + distance,
            PendingOrderType.BUY_STOP: ask + distance,
            PendingOrderType.SELL_STOP: bid - distance,
        }[planned.order_type]
        order = SimPendingOrder.objects.create(
            server=self.server,
            account=self.account,
            order_id=next_ticket(self.server),
            symbol=planned.symbol,
            order_type=planned.order_type,
            volume_lots=planned.lots,
            price=price,
            placed_at=at,
            expires_at=at + timedelta(minutes=planned.expiry_minutes),
            hold_minutes=planned.hold_minutes,
        )
        self.summary.orders_placed += 1
        self.schedule_order(order, since=at)

    def schedule_order(self, order: SimPendingOrder, *, since: datetime) -> None:
        end = min(order.expires_at, self.until)
        for moment in _hours_after(since, end):
            if self.triggers(order, moment):
                self.push(moment, FILL, (order.placed_at, order.order_id), order)
                return
        if order.expires_at <= self.until:
            self.push(order.expires_at, EXPIRE, (order.placed_at, order.order_id), order)

    def triggers(self, order: SimPendingOrder, at: datetime) -> bool:
        if order.order_type in (PendingOrderType.BUY_LIMIT, PendingOrderType.BUY_STOP):
            price = self.market.ask(order.symbol, at)
        else:
            price = self.market.bid(order.symbol, at)
        if order.order_type in (PendingOrderType.BUY_LIMIT, PendingOrderType.SELL_STOP):
            return price <= order.price
        return price >= order.price

    def fill(self, at: datetime, order: SimPendingOrder) -> None:
        side = Side.BUY if order.order_type in (PendingOrderType.BUY_LIMIT, PendingOrderType.BUY_STOP) else Side.SELL
        lots = self.size(order.symbol, order.volume_lots, at)
        order.delete()
        if lots is not None:  # otherwise rejected for want of margin, as a platform would
            self.open_position(at, order.symbol, side, lots, order.price, order.hold_minutes)

    def expire(self, at: datetime, order: SimPendingOrder) -> None:
        order.delete()


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _hours_after(since: datetime, end: datetime) -> Iterator[datetime]:
    """Every full hour in (since, end]."""
    moment = utc(since).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while moment <= end:
        yield moment
        moment += timedelta(hours=1)


def simulate_trading(
    *, server: TradingServer, logins: Sequence[int] | None = None, until: datetime | None = None
) -> SimulationSummary:
    """Let the simulated traders of `server`'s accounts (all, or `logins`) trade up to `until` (now)."""
    until = utc(until or timezone.now())  # simulated days are UTC days
    market = market_for(server)
    seed = trading_seed(server)
    summary = SimulationSummary()
    for account_id in sim_accounts(server, logins).order_by("login").values_list("pk", flat=True):
        # One account at a time, its row locked like a balance operation locks it.
        with transaction.atomic():
            account = SimAccount.objects.select_for_update().get(pk=account_id)
            account.server = server
            summary.add(_AccountSimulation(account=account, market=market, seed=seed, until=until).run())
    return summary
