"""Faults the simulator injects into its next calls, so tests and demos can see the outbox cope.

    inject(server, operation="balance_operation", fault="timeout_after", times=1)

- `timeout_before`: raise `PlatformTimeout` without doing anything;
- `timeout_after`: do it (committed), then raise `PlatformTimeout`: the platform did it but the
  caller cannot know, the case idempotency keys exist for;
- `unavailable`: raise `PlatformUnavailable` without doing anything;
- `latency`: sleep `seconds`, then do it.

Faults live in the database, so they reach other threads and worker processes; each one is used
by the next `times` calls of `operation` (a gateway method name, or "*" for any) on that server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.db import transaction
from django.db.models import F

from crm.platforms.errors import PlatformTimeout, PlatformUnavailable
from crm.platforms.models import TradingServer
from crm.platforms.simulator.models import SimFault

ANY = "*"
Fault = SimFault.Fault
T = TypeVar("T")


def inject(
    server: TradingServer,
    operation: str = "balance_operation",
    fault: str = Fault.TIMEOUT_AFTER,
    *,
    times: int = 1,
    seconds: float | Decimal = 0,
) -> SimFault:
    if fault not in Fault.values:
        raise ValueError(f"Unknown fault {fault!r}; one of {Fault.values}.")
    return SimFault.objects.create(
        server=server, operation=operation, fault=fault, remaining=times, seconds=Decimal(str(seconds))
    )


def clear(server: TradingServer | None = None) -> None:
    faults = SimFault.objects.all()
    if server is not None:
        faults = faults.filter(server=server)
    faults.delete()


def _take(server: TradingServer, operation: str) -> SimFault | None:
    """Use up one injection for this call, if any is left (a conditional UPDATE: never more than `times`)."""
    with transaction.atomic():
        candidates = SimFault.objects.filter(server=server, operation__in=[operation, ANY], remaining__gt=0)
        for fault in candidates.order_by("id")[:10]:
            if SimFault.objects.filter(pk=fault.pk, remaining__gt=0).update(remaining=F("remaining") - 1):
                return fault
    return None


def run(server: TradingServer, operation: str, call: Callable[[], T]) -> T:
    """`call()` as the simulator answers it, with the next injected fault for `operation` if there is one."""
    fault = _take(server, operation)
    if fault is None:
        return call()
    if fault.fault == Fault.LATENCY:
        time.sleep(float(fault.seconds))
        return call()
    if fault.fault == Fault.UNAVAILABLE:
        raise PlatformUnavailable(message=f"Simulated outage of {server.name}.")
    if fault.fault == Fault.TIMEOUT_BEFORE:
        raise PlatformTimeout(message=f"Simulated timeout of {server.name} (not applied).")
    call()
    raise PlatformTimeout(message=f"Simulated timeout of {server.name} (applied).")
