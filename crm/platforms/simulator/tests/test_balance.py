from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from crm.platforms.errors import PlatformRejected
from crm.platforms.gateway import BalanceResult
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation, SimPosition, SimSymbol
from crm.platforms.simulator.services import sim_symbols_install
from crm.platforms.tests.factories import open_account

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def state(server, login):
    account = SimAccount.objects.get(server=server, login=login)
    return account.balance, account.credit, account.balance_operations.count()


def refused(call) -> str:
    with pytest.raises(PlatformRejected) as rejected:
        call()
    return rejected.value.code


def test_a_deposit_is_applied_and_written_to_the_ledger(server, gateway):
    login = open_account(gateway)

    result = gateway.balance_operation(login, "deposit", Decimal("250.75"), idempotency_key="d-1", comment="Deposit #1")

    assert result == BalanceResult(
        deal_id=result.deal_id, balance=Decimal("250.75"), credit=Decimal("0.00"), applied_now=True
    )
    operation = SimBalanceOperation.objects.get()
    assert (operation.kind, operation.amount, operation.comment) == ("deposit", Decimal("250.75"), "Deposit #1")
    assert (operation.deal_id, operation.balance_after, operation.credit_after) == (
        result.deal_id,
        Decimal("250.75"),
        Decimal("0.00"),
    )


def test_the_same_key_twice_is_applied_once(server, gateway):
    login = open_account(gateway)

    first = gateway.balance_operation(login, "deposit", Decimal("100.00"), idempotency_key="d-1")
    second = gateway.balance_operation(login, "deposit", Decimal("100"), idempotency_key="d-1")

    assert first.applied_now is True
    assert second == BalanceResult(
        deal_id=first.deal_id, balance=Decimal("100.00"), credit=Decimal("0.00"), applied_now=False
    )
    assert state(server, login) == (Decimal("100.00"), Decimal("0.00"), 1)


def test_a_key_is_not_reused_for_another_request(server, gateway):
    login, other = open_account(gateway), open_account(gateway)
    gateway.balance_operation(login, "deposit", Decimal("100.00"), idempotency_key="d-1")

    assert refused(lambda: gateway.balance_operation(login, "deposit", Decimal("90.00"), idempotency_key="d-1")) == (
        "idempotency_key_reused"
    )
    assert refused(lambda: gateway.balance_operation(login, "credit_in", Decimal("100.00"), idempotency_key="d-1")) == (
        "idempotency_key_reused"
    )
    assert refused(lambda: gateway.balance_operation(other, "deposit", Decimal("100.00"), idempotency_key="d-1")) == (
        "idempotency_key_reused"
    )
    assert state(server, login) == (Decimal("100.00"), Decimal("0.00"), 1)
    assert state(server, other) == (Decimal("0.00"), Decimal("0.00"), 0)


def test_withdrawals_never_take_more_than_the_balance_nor_the_credit(server, gateway):
    login = open_account(gateway, deposit="100.00")
    gateway.balance_operation(login, "credit_in", Decimal("50.00"), idempotency_key="c-1")

    assert refused(
        lambda: gateway.balance_operation(login, "withdrawal", Decimal("100.01"), idempotency_key="w-1")
    ) == ("insufficient_free_margin")
    assert state(server, login) == (Decimal("100.00"), Decimal("50.00"), 2)
    result = gateway.balance_operation(login, "withdrawal", Decimal("100.00"), idempotency_key="w-2")
    assert (result.balance, result.credit) == (Decimal("0.00"), Decimal("50.00"))


def test_credit_goes_in_and_out_but_never_below_zero(server, gateway):
    login = open_account(gateway, deposit="10.00")

    gateway.balance_operation(login, "credit_in", Decimal("30.00"), idempotency_key="c-1")
    code = refused(lambda: gateway.balance_operation(login, "credit_out", Decimal("30.01"), idempotency_key="c-2"))
    result = gateway.balance_operation(login, "credit_out", Decimal("12.50"), idempotency_key="c-3")

    assert code == "insufficient_credit"
    assert (result.balance, result.credit) == (Decimal("10.00"), Decimal("17.50"))
    assert state(server, login) == (Decimal("10.00"), Decimal("17.50"), 3)


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005", "NaN"])
def test_amounts_are_positive_with_cents_at_most(server, gateway, amount):
    login = open_account(gateway)

    assert refused(lambda: gateway.balance_operation(login, "deposit", Decimal(amount), idempotency_key="d")) == (
        "invalid_amount"
    )
    assert state(server, login) == (Decimal("0.00"), Decimal("0.00"), 0)


def test_money_for_unknown_logins_is_refused(gateway):
    assert refused(lambda: gateway.balance_operation(42, "deposit", Decimal("1.00"), idempotency_key="d")) == (
        "unknown_login"
    )
    assert not SimBalanceOperation.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_withdrawal_is_limited_by_the_free_margin_of_open_positions(server, gateway):
    sim_symbols_install()
    SimSymbol.objects.update(daily_volatility_bp=0)  # prices stay at their base price
    login = open_account(gateway, deposit="1000.00")
    account = SimAccount.objects.get(server=server, login=login)
    # 0.5 lot of EURUSD bought at the ask (1.08510), valued at the bid (1.08500): -5.00; margin 542.50.
    SimPosition.objects.create(
        server=server,
        account=account,
        position_id=1,
        symbol="EURUSD",
        side="buy",
        volume_lots=Decimal("0.50"),
        open_time=NOW,
        open_price=Decimal("1.08510"),
        close_at=datetime(2026, 3, 5, tzinfo=UTC),
    )

    assert gateway.account_state(login).free_margin == Decimal("452.50")
    assert refused(
        lambda: gateway.balance_operation(login, "withdrawal", Decimal("452.51"), idempotency_key="w-1")
    ) == ("insufficient_free_margin")
    result = gateway.balance_operation(login, "withdrawal", Decimal("452.50"), idempotency_key="w-2")
    assert result.balance == Decimal("547.50")
    assert gateway.account_state(login).free_margin == Decimal("0.00")
