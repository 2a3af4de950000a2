from decimal import Decimal

import factory

from crm.platforms.gateway import AccountSpec, BalanceKind, PlatformGateway
from crm.platforms.models import PlatformOperation, TradingServer


class TradingServerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TradingServer

    name = factory.Sequence(lambda n: f"Test server {n}")
    platform = TradingServer.Platform.MT5
    is_demo = False
    adapter = "simulator"
    connection_settings = factory.LazyFunction(
        lambda: {"seed": 7, "market_seed": 2025, "host": "mt5.example", "manager_password": "Manager-secret-1"}
    )
    login_range_start = 500000
    login_range_end = 599999


class PlatformOperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformOperation

    server = factory.SubFactory(TradingServerFactory)
    kind = PlatformOperation.Kind.BALANCE
    payload = factory.LazyFunction(lambda: {"login": 500000, "kind": "deposit", "amount": "100.00", "comment": ""})
    idempotency_key = factory.Sequence(lambda n: f"operation-{n}")


def account_spec(**overrides) -> AccountSpec:
    values = {
        "group": "real\\standard",
        "currency": "USD",
        "leverage": 100,
        "name": "Ada Trader",
        "email": "ada@example.com",
        "main_password": "Main-pass-1",
        "investor_password": "Watch-pass-2",
        "is_demo": False,
    }
    return AccountSpec(**{**values, **overrides})


def open_account(gateway: PlatformGateway, deposit: Decimal | str | None = None, **overrides) -> int:
    """A new account on the gateway's server, funded with `deposit` if given; returns its login."""
    login = gateway.create_account(account_spec(**overrides)).login
    if deposit is not None:
        gateway.balance_operation(login, BalanceKind.DEPOSIT, Decimal(deposit), idempotency_key=f"fund-{login}")
    return login
