"""Demo trading servers on the simulator, and its symbols. Running it again changes nothing."""

from __future__ import annotations

from django.db import transaction

from crm.platforms.models import TradingServer
from crm.platforms.simulator.services import sim_symbols_install

SERVERS = [
    {
        "name": "Sim MT5 Live",
        "platform": TradingServer.Platform.MT5,
        "is_demo": False,
        "login_range_start": 500000,
        "login_range_end": 599999,
        "connection_settings": {"seed": 5, "market_seed": 2025},
    },
    {
        "name": "Sim MT5 Demo",
        "platform": TradingServer.Platform.MT5,
        "is_demo": True,
        "login_range_start": 900000,
        "login_range_end": 999999,
        "connection_settings": {"seed": 9, "market_seed": 2025},
    },
    {
        "name": "Sim MT4 Live",
        "platform": TradingServer.Platform.MT4,
        "is_demo": False,
        "login_range_start": 300000,
        "login_range_end": 399999,
        "connection_settings": {"seed": 3, "market_seed": 2025},
    },
]


@transaction.atomic
def load_demo_data() -> None:
    for server in SERVERS:
        defaults = {key: value for key, value in server.items() if key != "name"}
        TradingServer.objects.get_or_create(
            name=server["name"],
            defaults={**defaults, "adapter": "simulator", "currency": "USD", "time_zone_offset_hours": 2},
        )
    sim_symbols_install()
