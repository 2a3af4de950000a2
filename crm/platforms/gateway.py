"""The one interface every trading-platform adapter implements, and the registry that picks one per server.

Inputs and outputs are frozen dataclasses; money and prices are `Decimal`, volumes are in lots
(`Decimal`, 0.01 steps), times are aware UTC datetimes (an adapter converts from its server's time).
Adapters raise only `crm.platforms.errors.PlatformError`s: `PlatformTimeout`/`PlatformUnavailable`
when retrying may help, `PlatformRejected` (with a stable code) when it cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.platforms.errors import PlatformErrorCode, PlatformUnavailable

if TYPE_CHECKING:
    from crm.platforms.models import TradingServer


class BalanceKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    CREDIT_IN = "credit_in", _("Credit in")
    CREDIT_OUT = "credit_out", _("Credit out")


class PasswordKind(models.TextChoices):
    MAIN = "main", _("Main (trading) password")
    INVESTOR = "investor", _("Investor (read-only) password")


class Side(models.TextChoices):
    BUY = "buy", _("Buy")
    SELL = "sell", _("Sell")


class PendingOrderType(models.TextChoices):
    BUY_LIMIT = "buy_limit", _("Buy limit")
    SELL_LIMIT = "sell_limit", _("Sell limit")
    BUY_STOP = "buy_stop", _("Buy stop")
    SELL_STOP = "sell_stop", _("Sell stop")


class SymbolGroup(models.TextChoices):
    FOREX = "forex", _("Forex")
    METALS = "metals", _("Metals")
    INDICES = "indices", _("Indices")
    CRYPTO = "crypto", _("Crypto")


@dataclass(frozen=True, slots=True)
class AccountSpec:
    group: str
    currency: str
    leverage: int
    name: str
    email: str
    main_password: str = field(repr=False)
    investor_password: str = field(repr=False)
    is_demo: bool


@dataclass(frozen=True, slots=True)
class CreatedAccount:
    login: int


@dataclass(frozen=True, slots=True)
class BalanceResult:
    deal_id: int
    balance: Decimal
    credit: Decimal
    # False when the idempotency key had already been applied: nothing changed this time.
    applied_now: bool


@dataclass(frozen=True, slots=True)
class AccountState:
    login: int
    currency: str
    leverage: int
    balance: Decimal
    credit: Decimal
    equity: Decimal
    margin: Decimal
    free_margin: Decimal
    # equity / margin in percent; None while nothing is open (no margin used).
    margin_level: Decimal | None


@dataclass(frozen=True, slots=True)
class Deal:
    """A closed trade (a position from its opening to its closing deal), as rebates and reports need it."""

    deal_id: int
    position_id: int
    login: int
    symbol: str
    side: Side
    volume_lots: Decimal
    open_time: datetime
    open_price: Decimal
    close_time: datetime
    close_price: Decimal
    profit: Decimal
    commission: Decimal
    swap: Decimal
    comment: str = ""
    # What the spread cost the client, in the account's currency (spread × contract size × lots).
    spread_cost: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class Position:
    position_id: int
    login: int
    symbol: str
    side: Side
    volume_lots: Decimal
    open_time: datetime
    open_price: Decimal
    current_price: Decimal
    # Floating profit and swap so far, in the account's currency.
    profit: Decimal
    swap: Decimal


@dataclass(frozen=True, slots=True)
class PendingOrder:
    order_id: int
    login: int
    symbol: str
    type: PendingOrderType
    volume_lots: Decimal
    price: Decimal
    placed_time: datetime
    expiration_time: datetime | None


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    group: SymbolGroup
    digits: int
    contract_size: Decimal
    profit_currency: str
    description: str = ""


class PlatformGateway(Protocol):
    """What the CRM can ask of a trading server."""

    def create_account(self, spec: AccountSpec, *, idempotency_key: str = "") -> CreatedAccount:
        """Open an account; its login comes from the server's login range.

        With an `idempotency_key`, asking again returns the account the first call created.
        """
        ...

    def set_leverage(self, login: int, leverage: int) -> None: ...

    def set_password(self, login: int, kind: PasswordKind, password: str) -> None: ...

    def balance_operation(
        self, login: int, kind: BalanceKind, amount: Decimal, *, idempotency_key: str, comment: str = ""
    ) -> BalanceResult:
        """Move money; `amount` is positive. A key already applied is not applied again (`applied_now=False`)."""
        ...

    def account_state(self, login: int) -> AccountState: ...

    def closed_deals(
        self, logins: Sequence[int] | None, since: datetime, *, until: datetime | None = None
    ) -> list[Deal]:
        """Deals closed at or after `since` and before `until` (if given), oldest first; all accounts if no logins.

        Callers syncing incrementally ask again from the last close time they saw and skip
        deal ids they already have; `until` lets them page a long history by time windows.
        """
        ...

    def open_positions(self, logins: Sequence[int] | None) -> list[Position]: ...

    def pending_orders(self, logins: Sequence[int] | None) -> list[PendingOrder]: ...

    def symbols(self) -> list[Symbol]: ...


# --- Registry ---------------------------------------------------------------------------------------

GatewayFactory = Callable[["TradingServer"], PlatformGateway]
_adapters: dict[str, GatewayFactory] = {}


def register_adapter(name: str, factory: GatewayFactory) -> None:
    """Make `name` selectable as a server's adapter; apps call this from `AppConfig.ready()`."""
    _adapters[name] = factory


def adapter_choices() -> list[tuple[str, str]]:
    """The choices of `TradingServer.adapter` (a callable, so migrations do not freeze the list)."""
    return [(name, name) for name in sorted(_adapters)]


def gateway_for(server: TradingServer) -> PlatformGateway:
    """The adapter that talks to `server`. A disabled server (or unknown adapter) is unavailable."""
    if not server.is_enabled:
        raise PlatformUnavailable(
            code=PlatformErrorCode.TRADING_SERVER_DISABLED,
            message=_("The trading server %(name)s is disabled.") % {"name": server.name},
        )
    factory = _adapters.get(server.adapter)
    if factory is None:
        raise PlatformUnavailable(
            message=_("No adapter %(adapter)r is installed for trading server %(name)s.")
            % {"adapter": server.adapter, "name": server.name}
        )
    return factory(server)
