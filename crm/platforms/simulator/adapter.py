"""`SimulatorGateway`: the `PlatformGateway` of servers whose adapter is "simulator".

Every call goes through `faults.run`, so tests can make the platform slow, down, or time out
before or after doing the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from crm.platforms.gateway import (
    AccountSpec,
    AccountState,
    BalanceKind,
    BalanceResult,
    CreatedAccount,
    Deal,
    PasswordKind,
    PendingOrder,
    PendingOrderType,
    PlatformGateway,
    Position,
    Side,
    Symbol,
    SymbolGroup,
)
from crm.platforms.models import TradingServer
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimDeal, SimPendingOrder, SimPosition
from crm.platforms.simulator.services import (
    market_for,
    market_time,
    position_profit,
    sim_account_create,
    sim_account_get,
    sim_account_state,
    sim_balance_apply,
    sim_leverage_set,
    sim_password_set,
    sim_symbols,
)


def _of_accounts(queryset, server: TradingServer, logins: Sequence[int] | None):
    queryset = queryset.filter(server=server).select_related("account")
    return queryset if logins is None else queryset.filter(account__login__in=list(logins))


class SimulatorGateway(PlatformGateway):
    def __init__(self, server: TradingServer) -> None:
        self.server = server

    def create_account(self, spec: AccountSpec, *, idempotency_key: str = "") -> CreatedAccount:
        def call() -> CreatedAccount:
            account = sim_account_create(server=self.server, spec=spec, idempotency_key=idempotency_key)
            return CreatedAccount(login=account.login)

        return faults.run(self.server, "create_account", call)

    def set_leverage(self, login: int, leverage: int) -> None:
        faults.run(
            self.server, "set_leverage", lambda: sim_leverage_set(server=self.server, login=login, leverage=leverage)
        )

    def set_password(self, login: int, kind: PasswordKind, password: str) -> None:
        faults.run(
            self.server,
            "set_password",
            lambda: sim_password_set(server=self.server, login=login, kind=kind, password=password),
        )

    def balance_operation(
        self, login: int, kind: BalanceKind, amount: Decimal, *, idempotency_key: str, comment: str = ""
    ) -> BalanceResult:
        return faults.run(
            self.server,
            "balance_operation",
            lambda: sim_balance_apply(
                server=self.server,
                login=login,
                kind=kind,
                amount=amount,
                idempotency_key=idempotency_key,
                comment=comment,
            ),
        )

    def account_state(self, login: int) -> AccountState:
        def call() -> AccountState:
            return sim_account_state(sim_account_get(self.server, login), market_for(self.server))

        return faults.run(self.server, "account_state", call)

    def closed_deals(
        self, logins: Sequence[int] | None, since: datetime, *, until: datetime | None = None
    ) -> list[Deal]:
        def call() -> list[Deal]:
            deals = _of_accounts(SimDeal.objects, self.server, logins).filter(close_time__gte=since)
            if until is not None:
                deals = deals.filter(close_time__lt=until)
            return [
                Deal(
                    deal_id=deal.deal_id,
                    position_id=deal.position_id,
                    login=deal.account.login,
                    symbol=deal.symbol,
                    side=Side(deal.side),
                    volume_lots=deal.volume_lots,
                    open_time=deal.open_time,
                    open_price=deal.open_price,
                    close_time=deal.close_time,
                    close_price=deal.close_price,
                    profit=deal.profit,
                    commission=deal.commission,
                    swap=deal.swap,
                    comment=deal.comment,
                    spread_cost=deal.spread_cost,
                )
                for deal in deals.order_by("close_time", "deal_id")
            ]

        return faults.run(self.server, "closed_deals", call)

    def open_positions(self, logins: Sequence[int] | None) -> list[Position]:
        def call() -> list[Position]:
            market = market_for(self.server)
            positions = []
            for position in _of_accounts(SimPosition.objects, self.server, logins).order_by("position_id"):
                account = position.account
                at = market_time(account)
                positions.append(
                    Position(
                        position_id=position.position_id,
                        login=account.login,
                        symbol=position.symbol,
                        side=Side(position.side),
                        volume_lots=position.volume_lots,
                        open_time=position.open_time,
                        open_price=position.open_price,
                        current_price=market.price_to_close(position.symbol, position.side, at),
                        profit=position_profit(position, account, market, at),
                        swap=market.swap(
                            position.symbol,
                            position.side,
                            position.volume_lots,
                            position.open_time,
                            at,
                            account.currency,
                        ),
                    )
                )
            return positions

        return faults.run(self.server, "open_positions", call)

    def pending_orders(self, logins: Sequence[int] | None) -> list[PendingOrder]:
        def call() -> list[PendingOrder]:
            orders = _of_accounts(SimPendingOrder.objects, self.server, logins).order_by("order_id")
            return [
                PendingOrder(
                    order_id=order.order_id,
                    login=order.account.login,
                    symbol=order.symbol,
                    type=PendingOrderType(order.order_type),
                    volume_lots=order.volume_lots,
                    price=order.price,
                    placed_time=order.placed_at,
                    expiration_time=order.expires_at,
                )
                for order in orders
            ]

        return faults.run(self.server, "pending_orders", call)

    def symbols(self) -> list[Symbol]:
        def call() -> list[Symbol]:
            return [
                Symbol(
                    name=symbol.name,
                    group=SymbolGroup(symbol.group),
                    digits=symbol.digits,
                    contract_size=symbol.contract_size,
                    profit_currency=symbol.profit_currency,
                    description=symbol.description,
                )
                for symbol in sorted(sim_symbols(), key=lambda symbol: symbol.name)
            ]

        return faults.run(self.server, "symbols", call)
