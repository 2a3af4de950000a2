"""Demo account types on the simulator's demo servers and, once the demo client exists, two accounts of theirs.

Running it again changes nothing: types are found by server and group, accounts by their login
(the simulator returns the same login for the same idempotency key).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from clients.trading.models import TradingAccount, TradingAccountType
from clients.trading.passwords import trading_password_generate
from clients.trading.services import trading_account_register
from crm.configuration.models import Leverage
from crm.platforms.gateway import AccountSpec, BalanceKind, gateway_for
from crm.platforms.models import TradingServer
from crm.platforms.simulator import demo as simulator_demo
from crm.users.models import User

DEMO_CLIENT_EMAIL = "client@broker.example"
DEMO_BALANCE = Decimal("10000.00")

# server, group, name, description, leverages, minimum deposit, position
TYPES = [
    (
        "Sim MT5 Live",
        "real\\standard",
        {"zh-CN": "标准账户", "en-US": "Standard"},
        {"zh-CN": "无佣金,点差从 1.2 点起。", "en-US": "No commission, spreads from 1.2 pips."},
        [50, 100, 200, 300, 400, 500],
        Decimal("100.00"),
        0,
    ),
    (
        "Sim MT5 Live",
        "real\\ecn",
        {"zh-CN": "ECN 账户", "en-US": "ECN"},
        {"zh-CN": "原始点差,每手佣金 7 美元。", "en-US": "Raw spreads, USD 7 commission per lot."},
        [50, 100, 200],
        Decimal("1000.00"),
        1,
    ),
    (
        "Sim MT4 Live",
        "real\\standard",
        {"zh-CN": "标准账户 (MT4)", "en-US": "Standard (MT4)"},
        {"zh-CN": "经典 MetaTrader 4 平台。", "en-US": "The classic MetaTrader 4 platform."},
        [50, 100, 200, 300, 400, 500],
        Decimal("100.00"),
        2,
    ),
    (
        "Sim MT5 Demo",
        "demo\\standard",
        {"zh-CN": "模拟账户", "en-US": "Demo"},
        {"zh-CN": "虚拟资金练习交易。", "en-US": "Practise with virtual money."},
        [50, 100, 200, 300, 400, 500, 1000],
        Decimal("0.00"),
        3,
    ),
]


def _account_types() -> dict[tuple[str, str], TradingAccountType]:
    if TradingServer.objects.filter(name__in={row[0] for row in TYPES}).count() < len({row[0] for row in TYPES}):
        simulator_demo.load_demo_data()
    servers = {server.name: server for server in TradingServer.objects.filter(name__in={row[0] for row in TYPES})}
    types = {}
    for server_name, group, name, description, leverages, min_deposit, position in TYPES:
        account_type, created = TradingAccountType.objects.get_or_create(
            server=servers[server_name],
            group=group,
            defaults={
                "name_i18n": name,
                "description_i18n": description,
                "min_deposit": min_deposit,
                "position": position,
                "currencies": ["USD"],
            },
        )
        if created:
            account_type.leverages.set(
                [Leverage.objects.get_or_create(value=value, defaults={"is_enabled": True})[0] for value in leverages]
            )
        types[(server_name, group)] = account_type
    return types


def _open(user: User, account_type: TradingAccountType, *, leverage: int, key: str) -> TradingAccount:
    password = trading_password_generate()
    login = (
        gateway_for(account_type.server)
        .create_account(
            AccountSpec(
                group=account_type.group,
                currency="USD",
                leverage=leverage,
                name=user.name or user.email,
                email=user.email,
                main_password=password,
                investor_password=trading_password_generate(),
                is_demo=account_type.is_demo,
            ),
            idempotency_key=key,
        )
        .login
    )
    return trading_account_register(user=user, account_type_id=account_type.pk, login=login, leverage=leverage)


@transaction.atomic
def load_demo_data() -> None:
    types = _account_types()
    user = User.objects.filter(email=DEMO_CLIENT_EMAIL).first()
    if user is None:  # the demo users are made after the apps' demo data: the next run adds the accounts
        return
    _open(user, types[("Sim MT5 Live", "real\\standard")], leverage=100, key="demo-client-live-standard")
    demo = _open(user, types[("Sim MT5 Demo", "demo\\standard")], leverage=500, key="demo-client-demo")
    gateway_for(demo.server).balance_operation(
        demo.login, BalanceKind.DEPOSIT, DEMO_BALANCE, idempotency_key=f"demo-topup-{demo.login}", comment="Demo funds"
    )
