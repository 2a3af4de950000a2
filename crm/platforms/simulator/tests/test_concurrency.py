"""The simulator under real concurrency: threads with their own connections."""

from decimal import Decimal

import pytest

from crm.platforms.errors import PlatformRejected
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation
from crm.platforms.tests.factories import account_spec, open_account
from crm.platforms.tests.helpers import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_key_sent_by_ten_threads_is_applied_once(server, gateway):
    login = open_account(gateway)

    results, errors = run_in_threads(
        lambda _: gateway.balance_operation(login, "deposit", Decimal("100.00"), idempotency_key="deposit-1")
    )

    assert errors == []
    assert sorted(result.applied_now for result in results) == [False] * 9 + [True]
    assert len({result.deal_id for result in results}) == 1
    assert SimAccount.objects.get(login=login).balance == Decimal("100.00")
    assert SimBalanceOperation.objects.filter(idempotency_key="deposit-1").count() == 1


def test_one_key_sent_for_ten_accounts_is_applied_to_one(server, gateway):
    logins = [open_account(gateway) for _ in range(10)]

    results, errors = run_in_threads(
        lambda index: gateway.balance_operation(logins[index], "deposit", Decimal("5.00"), idempotency_key="shared")
    )

    assert len(results) == 1 and results[0].applied_now
    assert {error.code for error in errors if isinstance(error, PlatformRejected)} == {"idempotency_key_reused"}
    assert len(errors) == 9
    assert sum(SimAccount.objects.values_list("balance", flat=True)) == Decimal("5.00")


def test_concurrent_withdrawals_never_overdraw(server, gateway):
    login = open_account(gateway, deposit="100.00")

    results, errors = run_in_threads(
        lambda index: gateway.balance_operation(login, "withdrawal", Decimal("30.00"), idempotency_key=f"w-{index}")
    )

    assert len(results) == 3
    assert [error.code for error in errors] == ["insufficient_free_margin"] * 7
    assert SimAccount.objects.get(login=login).balance == Decimal("10.00")


def test_twenty_accounts_opened_at_once_get_twenty_logins(server, gateway):
    logins, errors = run_in_threads(lambda _: gateway.create_account(account_spec()).login, count=20)

    assert errors == []
    assert sorted(logins) == list(range(500000, 500020))


def test_one_creation_key_sent_by_ten_threads_opens_one_account(server, gateway):
    logins, errors = run_in_threads(lambda _: gateway.create_account(account_spec(), idempotency_key="open-1").login)

    assert errors == []
    assert len(set(logins)) == 1
    assert SimAccount.objects.count() == 1
