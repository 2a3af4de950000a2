"""Transfers under real concurrency: threads with their own connections."""

from decimal import Decimal

import pytest

from crm.platforms.tests.helpers import run_in_threads
from crm.users.tests.factories import UserFactory
from funds.errors import FundsError
from funds.ledger.reconciliation import reconcile
from funds.transfers import services
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.tests.helpers import funded_account, platform_balance, run_outbox

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approvals_of_one_transfer_move_the_money_once(client_user, usd):
    source, target = funded_account(client_user, "5000.00"), funded_account(client_user, "0")
    made = services.transfer_request(user=client_user, source_id=source.pk, target_id=target.pk, amount=D("3000.00"))
    run_outbox()
    staff = [UserFactory(role="staff", is_superuser=True) for _ in range(10)]

    def approve(index: int):
        try:
            return services.transfer_approve(transfer_id=made.pk, by=staff[index]).status
        except FundsError as error:
            return error.code

    results, errors = run_in_threads(approve, count=10)

    assert errors == []
    assert sorted(results) == ["approved"] + ["transfer_not_pending"] * 9
    run_outbox()
    assert (platform_balance(source), platform_balance(target)) == (D("2000.00"), D("3000.00"))
    assert reconcile() == [] and hold_differences() == []


def test_transfers_both_ways_between_two_accounts_do_not_deadlock(client_user, usd):
    first, second = funded_account(client_user, "1000.00"), funded_account(client_user, "1000.00")

    def move(index: int):
        source, target = (first, second) if index % 2 else (second, first)
        try:
            return services.transfer_request(
                user=client_user, source_id=source.pk, target_id=target.pk, amount=D("90.00")
            ).status
        except FundsError as error:
            return error.code

    results, errors = run_in_threads(move, count=20)

    assert errors == []
    assert set(results) <= {"approved", "insufficient_free_margin"}
    run_outbox()
    assert platform_balance(first) + platform_balance(second) == D("2000.00")
    assert reconcile() == [] and hold_differences() == []
