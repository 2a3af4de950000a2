import time
from decimal import Decimal

import pytest

from crm.platforms.errors import PlatformTimeout, PlatformUnavailable
from crm.platforms.gateway import gateway_for
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount, SimFault
from crm.platforms.tests.factories import TradingServerFactory, account_spec, open_account


def balance(server, login) -> Decimal:
    return SimAccount.objects.get(server=server, login=login).balance


def deposit(gateway, login, key):
    return gateway.balance_operation(login, "deposit", Decimal("10.00"), idempotency_key=key)


def test_timeout_before_does_nothing_and_the_next_call_works(server, gateway):
    login = open_account(gateway)
    faults.inject(server, "balance_operation", "timeout_before")

    with pytest.raises(PlatformTimeout):
        deposit(gateway, login, "d-1")
    assert balance(server, login) == Decimal("0.00")
    assert deposit(gateway, login, "d-1").applied_now is True
    assert balance(server, login) == Decimal("10.00")


def test_timeout_after_does_it_then_times_out(server, gateway):
    login = open_account(gateway)
    faults.inject(server, "balance_operation", "timeout_after")

    with pytest.raises(PlatformTimeout):
        deposit(gateway, login, "d-1")
    assert balance(server, login) == Decimal("10.00")
    assert deposit(gateway, login, "d-1").applied_now is False
    assert balance(server, login) == Decimal("10.00")


def test_unavailable_for_as_many_calls_as_asked(server, gateway):
    login = open_account(gateway)
    faults.inject(server, "balance_operation", "unavailable", times=2)

    for _ in range(2):
        with pytest.raises(PlatformUnavailable):
            deposit(gateway, login, "d-1")
    assert deposit(gateway, login, "d-1").applied_now is True
    assert SimFault.objects.get().remaining == 0


def test_latency_slows_the_answer_down(server, gateway):
    login = open_account(gateway)
    faults.inject(server, "account_state", "latency", seconds=0.2)

    started = time.monotonic()
    state = gateway.account_state(login)

    assert time.monotonic() - started >= 0.2
    assert state.login == login


def test_a_fault_for_any_operation_on_one_server_only(server, gateway):
    other = gateway_for(TradingServerFactory())
    faults.inject(server, faults.ANY, "unavailable")

    assert other.create_account(account_spec()).login == 500000
    with pytest.raises(PlatformUnavailable):
        gateway.symbols()
    assert gateway.symbols()


def test_clearing_faults_and_unknown_faults(server, gateway):
    faults.inject(server, "symbols", "unavailable", times=3)
    faults.clear(server)

    assert gateway.symbols()
    with pytest.raises(ValueError):
        faults.inject(server, "symbols", "explode")
