"""A simulator server with two platform accounts (one of them ours) and deals with known figures."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from clients.trading.tests.factories import TradingAccountFactory, TradingAccountTypeFactory
from crm.platforms.gateway import gateway_for
from crm.platforms.simulator.models import SimAccount, SimDeal
from crm.platforms.simulator.services import sim_symbols_install
from crm.platforms.tests.factories import TradingServerFactory, open_account

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def sim_deal(account: SimAccount, deal_id: int, close_time: datetime, **figures) -> SimDeal:
    values = {
        "symbol": "EURUSD",
        "volume_lots": Decimal("1.00"),
        "side": "buy",
        "open_price": Decimal("1.08000"),
        "close_price": Decimal("1.08100"),
        "profit": Decimal("100.00"),
        "commission": Decimal("-7.00"),
        "swap": Decimal("0.00"),
        "spread_cost": Decimal("10.00"),
        **figures,
    }
    return SimDeal.objects.create(
        server=account.server,
        account=account,
        deal_id=deal_id,
        position_id=deal_id - 1,
        open_time=close_time - timedelta(hours=1),
        close_time=close_time,
        **values,
    )


@pytest.fixture
def server(db):
    sim_symbols_install()
    return TradingServerFactory()


@pytest.fixture
def platform(server):
    """(our trading account, the platform-only account), both opened on the simulator."""
    gateway = gateway_for(server)
    ours_login = open_account(gateway, deposit="1000.00")
    theirs_login = open_account(gateway, deposit="1000.00")
    account_type = TradingAccountTypeFactory(server=server)
    ours = TradingAccountFactory(account_type=account_type, server=server, login=ours_login)
    return (
        ours,
        SimAccount.objects.get(server=server, login=ours_login),
        SimAccount.objects.get(server=server, login=theirs_login),
    )


@pytest.fixture
def deals(platform):
    """Four closed deals over two days: three of our account's (forex, metals), one of a platform-only account."""
    _ours, ours_sim, theirs_sim = platform
    return [
        sim_deal(ours_sim, 2_000_001, T0),
        sim_deal(
            ours_sim,
            2_000_002,
            T0 + timedelta(hours=5),
            symbol="XAUUSD",
            volume_lots=Decimal("0.50"),
            open_price=Decimal("2350.00"),
            close_price=Decimal("2345.50"),
            profit=Decimal("-225.00"),
            commission=Decimal("-5.00"),
            swap=Decimal("-1.25"),
            spread_cost=Decimal("12.50"),
            side="sell",
        ),
        sim_deal(theirs_sim, 2_000_003, T0 + timedelta(days=1)),
        sim_deal(ours_sim, 2_000_004, T0 + timedelta(days=1, hours=2), volume_lots=Decimal("2.00")),
    ]
