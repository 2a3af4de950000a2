from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from crm.platforms.gateway import gateway_for
from crm.platforms.models import TradingServer
from crm.platforms.simulator.demo import load_demo_data
from crm.platforms.simulator.models import SimAccount, SimDeal, SimSymbol
from crm.platforms.simulator.tasks import simulate_platform_trading
from crm.platforms.tests.factories import open_account

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_demo_servers_and_symbols_load_once(db):
    load_demo_data()
    load_demo_data()

    servers = TradingServer.objects.order_by("name").values_list(
        "name", "platform", "is_demo", "adapter", "login_range_start", "login_range_end"
    )
    assert list(servers) == [
        ("Sim MT4 Live", "MT4", False, "simulator", 300000, 399999),
        ("Sim MT5 Demo", "MT5", True, "simulator", 900000, 999999),
        ("Sim MT5 Live", "MT5", False, "simulator", 500000, 599999),
    ]
    assert dict(SimSymbol.objects.values_list("name", "group")) == {
        "EURUSD": "forex",
        "GBPUSD": "forex",
        "USDJPY": "forex",
        "AUDUSD": "forex",
        "USDCHF": "forex",
        "XAUUSD": "metals",
        "XAGUSD": "metals",
        "US30": "indices",
        "NAS100": "indices",
        "GER40": "indices",
        "BTCUSD": "crypto",
        "ETHUSD": "crypto",
    }


def test_the_command_and_the_task_simulate_trading(db):
    load_demo_data()
    demo = TradingServer.objects.get(name="Sim MT5 Demo")
    with time_machine.travel(START, tick=False):
        login = open_account(gateway_for(demo), deposit="10000.00", is_demo=True)
    out = StringIO()

    # In the company time zone (Asia/Shanghai): 16:00 there is 08:00 UTC.
    call_command("simulate_trading", "--server", "Sim MT5 Demo", "--until", "2026-03-06 16:00:00", stdout=out)

    account = SimAccount.objects.get(server=demo, login=login)
    assert account.simulated_until == START + timedelta(days=4)
    deals = SimDeal.objects.filter(account=account).count()
    assert deals > 0
    assert out.getvalue().startswith(f"Sim MT5 Demo: 1 accounts, {deals} deals closed, ")
    with time_machine.travel(START + timedelta(days=7), tick=False):
        assert simulate_platform_trading() == SimDeal.objects.filter(account=account).count() - deals
    assert SimAccount.objects.get(pk=account.pk).simulated_until == START + timedelta(days=7)


def test_the_command_refuses_unknown_servers_and_times(db):
    with pytest.raises(CommandError, match="Nope"):
        call_command("simulate_trading", "--server", "Nope")
    with pytest.raises(CommandError, match="--until"):
        call_command("simulate_trading", "--until", "tomorrow")
