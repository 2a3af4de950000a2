"""Demo trading servers on the simulator, and its symbols. Running it again changes nothing.

`demo_outbox_run` settles the platform operations the other apps' demo data enqueue."""

from __future__ import annotations

import contextlib

from django.db import transaction

from crm.platforms.errors import TRANSIENT_ERRORS
from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.services import platform_operation_execute
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


def demo_outbox_run(*, max_rounds: int = 20) -> int:
    """Run every due platform operation now, as the worker would after commit (and those their
    callbacks enqueue), so the demo data is settled before `make run` starts a worker. Returns how many
    operations ran; any left pending (a transient fault) are the worker's."""
    ran = 0
    for _round in range(max_rounds):
        due = list(
            PlatformOperation.objects.filter(status=PlatformOperation.Status.PENDING, locked_until__isnull=True)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not due:
            break
        for operation_id in due:
            with contextlib.suppress(*TRANSIENT_ERRORS):
                platform_operation_execute(operation_id=operation_id)
            ran += 1
    return ran
