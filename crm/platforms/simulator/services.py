"""The simulated platform's own operations: accounts, passwords, leverage, money, account state.

What a real server guarantees, the simulator does too: logins come from the server's range and are
never handed out twice; a balance operation's idempotency key is applied at most once per server
(the account row is locked, and a unique constraint backs it); a withdrawal never takes more than
the free margin, nor credit; every change of balance is a row of its ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone

from crm.platforms.errors import PlatformErrorCode, PlatformRejected
from crm.platforms.gateway import AccountSpec, AccountState, BalanceKind, BalanceResult, PasswordKind
from crm.platforms.models import TradingServer
from crm.platforms.simulator.market import DEFAULT_SYMBOLS, SUPPORTED_CURRENCIES, Market, money
from crm.platforms.simulator.models import (
    SimAccount,
    SimBalanceOperation,
    SimPosition,
    SimServerState,
    SimSymbol,
    hash_password,
)

DEFAULT_MAX_LEVERAGE = 1000


def rejected(code: str, message: str) -> PlatformRejected:
    return PlatformRejected(code=code, message=message)


# --- the market -------------------------------------------------------------------------------------


def sim_symbols_install() -> None:
    """Make sure the default symbols exist (idempotent, safe under concurrency)."""
    existing = set(SimSymbol.objects.values_list("name", flat=True))
    SimSymbol.objects.bulk_create(
        [SimSymbol(**vars(spec)) for spec in DEFAULT_SYMBOLS if spec.name not in existing], ignore_conflicts=True
    )


def sim_symbols() -> list[SimSymbol]:
    symbols = list(SimSymbol.objects.all())
    if not symbols:
        sim_symbols_install()
        symbols = list(SimSymbol.objects.all())
    return symbols


def market_for(server: TradingServer) -> Market:
    """The server's market: the symbols, with prices walked from its `market_seed` setting."""
    return Market(sim_symbols(), seed=server.connection_settings.get("market_seed", 2025))


def trading_seed(server: TradingServer) -> int | str:
    """What the simulated traders of this server do follows from its `seed` setting."""
    return server.connection_settings.get("seed", 1)


def market_time(account: SimAccount) -> datetime:
    """Now, or later if the market has been simulated ahead of the clock for this account."""
    now = timezone.now()
    return max(now, account.simulated_until) if account.simulated_until else now


# --- numbers ----------------------------------------------------------------------------------------


def _state(server: TradingServer) -> SimServerState:
    state, _created = SimServerState.objects.get_or_create(server=server)
    return state


def next_ticket(server: TradingServer) -> int:
    """A new deal/position/order id. Call inside a transaction: the counter row stays locked until commit."""
    state = _state(server)
    # UPDATE first, then read: the row lock (or SQLite's write lock) makes this atomic.
    SimServerState.objects.filter(pk=state.pk).update(last_ticket=F("last_ticket") + 1)
    return SimServerState.objects.values_list("last_ticket", flat=True).get(pk=state.pk)


def _next_login(server: TradingServer) -> int:
    state = _state(server)
    while True:
        SimServerState.objects.filter(pk=state.pk).update(
            last_login=Greatest(F("last_login") + 1, server.login_range_start)
        )
        login = SimServerState.objects.values_list("last_login", flat=True).get(pk=state.pk)
        if login > server.login_range_end:
            raise rejected(
                PlatformErrorCode.LOGIN_RANGE_EXHAUSTED,
                f"No free login left in {server.login_range_start}–{server.login_range_end} on {server.name}.",
            )
        # Skip logins taken some other way (an account created by hand on the platform).
        if not SimAccount.objects.filter(server=server, login=login).exists():
            return login


# --- validation -------------------------------------------------------------------------------------


def _check_leverage(server: TradingServer, leverage: int) -> None:
    maximum = server.connection_settings.get("max_leverage", DEFAULT_MAX_LEVERAGE)
    if not isinstance(leverage, int) or isinstance(leverage, bool) or not 1 <= leverage <= maximum:
        raise rejected(PlatformErrorCode.INVALID_LEVERAGE, f"Leverage must be 1 to {maximum}.")


def _check_password(server: TradingServer, password: str) -> None:
    shortest, longest = (5, 15) if server.platform == TradingServer.Platform.MT4 else (8, 16)
    has_letter = any(character.isalpha() for character in password)
    has_digit = any(character.isdigit() for character in password)
    if not (shortest <= len(password) <= longest and has_letter and has_digit):
        raise rejected(
            PlatformErrorCode.INVALID_PASSWORD,
            f"A password needs {shortest} to {longest} characters with letters and digits.",
        )


def _check_spec(server: TradingServer, spec: AccountSpec) -> None:
    groups = server.connection_settings.get("groups")
    if not spec.group or len(spec.group) > 64 or (groups and spec.group not in groups):
        raise rejected(PlatformErrorCode.INVALID_GROUP, f"Unknown group {spec.group!r}.")
    if spec.currency not in SUPPORTED_CURRENCIES:
        raise rejected(PlatformErrorCode.INVALID_CURRENCY, f"Currency {spec.currency!r} is not supported.")
    _check_leverage(server, spec.leverage)
    _check_password(server, spec.main_password)
    _check_password(server, spec.investor_password)


def _check_amount(amount: Decimal) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != money(amount):
        raise rejected(PlatformErrorCode.INVALID_AMOUNT, "The amount must be positive, with at most 2 decimals.")


# --- accounts ---------------------------------------------------------------------------------------


def sim_accounts(server: TradingServer, logins: Sequence[int] | None = None) -> QuerySet[SimAccount]:
    accounts = SimAccount.objects.filter(server=server)
    return accounts if logins is None else accounts.filter(login__in=list(logins))


def sim_account_get(server: TradingServer, login: int, *, for_update: bool = False) -> SimAccount:
    accounts = SimAccount.objects.select_for_update() if for_update else SimAccount.objects
    try:
        return accounts.get(server=server, login=login)
    except SimAccount.DoesNotExist:
        raise rejected(PlatformErrorCode.UNKNOWN_LOGIN, f"No account {login} on {server.name}.") from None


@transaction.atomic
def sim_account_create(*, server: TradingServer, spec: AccountSpec, idempotency_key: str = "") -> SimAccount:
    """Open an account with the next free login; the same non-empty key returns the same account."""
    _check_spec(server, spec)
    if idempotency_key:
        existing = SimAccount.objects.filter(server=server, creation_key=idempotency_key).first()
        if existing is not None:
            return existing
    login = _next_login(server)
    try:
        with transaction.atomic():
            return SimAccount.objects.create(
                server=server,
                login=login,
                group=spec.group,
                currency=spec.currency,
                leverage=spec.leverage,
                main_password=hash_password(spec.main_password),
                investor_password=hash_password(spec.investor_password),
                name=spec.name,
                email=spec.email,
                is_demo=spec.is_demo,
                creation_key=idempotency_key or None,
            )
    except IntegrityError:
        # The same key, created meanwhile by a concurrent request (the login stays unused: a gap).
        if idempotency_key:
            return SimAccount.objects.get(server=server, creation_key=idempotency_key)
        raise


@transaction.atomic
def sim_leverage_set(*, server: TradingServer, login: int, leverage: int) -> SimAccount:
    _check_leverage(server, leverage)
    account = sim_account_get(server, login, for_update=True)
    account.leverage = leverage
    account.save(update_fields=["leverage"])
    return account


@transaction.atomic
def sim_password_set(*, server: TradingServer, login: int, kind: str, password: str) -> SimAccount:
    _check_password(server, password)
    account = sim_account_get(server, login, for_update=True)
    field = "main_password" if kind == PasswordKind.MAIN else "investor_password"
    setattr(account, field, hash_password(password))
    account.save(update_fields=[field])
    return account


# --- money ------------------------------------------------------------------------------------------


def sim_account_state(account: SimAccount, market: Market, at: datetime | None = None) -> AccountState:
    """Balance, credit, equity and margins at `at`, from the open positions valued at the market's prices."""
    at = at or market_time(account)
    floating = margin = Decimal("0.00")
    for position in SimPosition.objects.filter(account=account):
        floating += position_profit(position, account, market, at)
        floating += market.swap(
            position.symbol, position.side, position.volume_lots, position.open_time, at, account.currency
        )
        margin += market.margin(position.symbol, position.volume_lots, account.leverage, account.currency, at)
    equity = account.balance + account.credit + floating
    free_margin = equity - margin
    return AccountState(
        login=account.login,
        currency=account.currency,
        leverage=account.leverage,
        balance=account.balance,
        credit=account.credit,
        equity=equity,
        margin=margin,
        free_margin=free_margin,
        margin_level=money(equity / margin * 100) if margin else None,
    )


def position_profit(position: SimPosition, account: SimAccount, market: Market, at: datetime) -> Decimal:
    close_price = market.price_to_close(position.symbol, position.side, at)
    return market.profit(
        position.symbol, position.side, position.volume_lots, position.open_price, close_price, account.currency, at
    )


def _check_funds(account: SimAccount, kind: str, amount: Decimal, market: Market) -> None:
    if kind not in (BalanceKind.WITHDRAWAL, BalanceKind.CREDIT_OUT):
        return
    state = sim_account_state(account, market)
    if kind == BalanceKind.CREDIT_OUT and amount > account.credit:
        raise rejected(PlatformErrorCode.INSUFFICIENT_CREDIT, f"Only {account.credit} of credit to take out.")
    # Credit backs trading, never a withdrawal; and no withdrawal takes the balance below zero.
    available = (
        state.free_margin
        if kind == BalanceKind.CREDIT_OUT
        else min(account.balance, state.free_margin - account.credit)
    )
    if amount > available:
        raise rejected(
            PlatformErrorCode.INSUFFICIENT_FREE_MARGIN,
            f"Only {max(available, Decimal('0.00'))} {account.currency} can be taken out now.",
        )


def _already_applied(operation: SimBalanceOperation, account: SimAccount, kind: str, amount: Decimal) -> BalanceResult:
    """The answer to a key applied before: the same request gets the first deal, another is refused."""
    if (operation.account_id, operation.kind, operation.amount) != (account.pk, kind, amount):
        raise rejected(
            PlatformErrorCode.IDEMPOTENCY_KEY_REUSED,
            f"Key {operation.idempotency_key!r} was applied to another request (deal #{operation.deal_id}).",
        )
    return BalanceResult(deal_id=operation.deal_id, balance=account.balance, credit=account.credit, applied_now=False)


@transaction.atomic
def sim_balance_apply(
    *, server: TradingServer, login: int, kind: str, amount: Decimal, idempotency_key: str, comment: str = ""
) -> BalanceResult:
    """Deposit, withdraw, or move credit, once per idempotency key."""
    if kind not in BalanceKind.values:
        raise rejected(PlatformErrorCode.INVALID_REQUEST, f"Unknown balance operation {kind!r}.")
    _check_amount(amount)
    if not 0 < len(idempotency_key) <= 100:
        raise rejected(
            PlatformErrorCode.INVALID_REQUEST, "A balance operation needs an idempotency key of 1 to 100 characters."
        )
    # Locked first: two requests with the same key for this account run one after the other.
    account = sim_account_get(server, login, for_update=True)
    applied = SimBalanceOperation.objects.filter(server=server, idempotency_key=idempotency_key).first()
    if applied is not None:
        return _already_applied(applied, account, kind, amount)
    _check_funds(account, kind, amount, market_for(server))

    balance, credit = account.balance, account.credit
    if kind == BalanceKind.DEPOSIT:
        balance += amount
    elif kind == BalanceKind.WITHDRAWAL:
        balance -= amount
    elif kind == BalanceKind.CREDIT_IN:
        credit += amount
    else:
        credit -= amount
    try:
        with transaction.atomic():
            operation = SimBalanceOperation.objects.create(
                server=server,
                account=account,
                kind=kind,
                amount=amount,
                comment=comment[:255],
                deal_id=next_ticket(server),
                idempotency_key=idempotency_key,
                balance_after=balance,
                credit_after=credit,
            )
    except IntegrityError:
        # The key was applied meanwhile, to another account of this server.
        applied = SimBalanceOperation.objects.get(server=server, idempotency_key=idempotency_key)
        return _already_applied(applied, account, kind, amount)
    account.balance, account.credit = balance, credit
    account.save(update_fields=["balance", "credit"])
    return BalanceResult(deal_id=operation.deal_id, balance=balance, credit=credit, applied_now=True)
