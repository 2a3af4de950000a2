"""Withdrawals under real concurrency: threads with their own connections."""

from decimal import Decimal

import pytest

from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute
from crm.platforms.tests.helpers import run_in_threads
from crm.users.tests.factories import UserFactory
from funds.errors import FundsError
from funds.ledger.models import Journal
from funds.ledger.reconciliation import reconcile
from funds.withdrawals import services
from funds.withdrawals.models import Hold, Withdrawal, WithdrawalSettings
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.tests.helpers import funded_account, platform_balance, request_withdrawal, run_outbox

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_concurrent_requests_never_hold_more_than_the_free_margin(client_user, usd, bank):
    account = funded_account(client_user, "1000.00")

    def request(index: int):
        try:
            withdrawal = request_withdrawal(client_user, account, bank, "30.00")
        except FundsError as error:
            assert error.code == "insufficient_free_margin", error.code
            return None
        if index % 2:  # half the workers apply their hold at once, while the others still check
            platform_operation_execute(operation_id=withdrawal.hold.hold_operation_id)
        return withdrawal.pk

    results, errors = run_in_threads(request, count=50)

    assert errors == []
    made = [pk for pk in results if pk is not None]
    held = sum(Hold.objects.values_list("amount", flat=True), D(0))
    assert 1 <= len(made) <= 33
    assert held == D("30.00") * len(made) <= D("1000.00")
    assert Withdrawal.objects.count() == Hold.objects.count() == len(made)
    # The platform never refuses one of them: none was more than what was there.
    run_outbox()
    assert set(PlatformOperation.objects.values_list("status", flat=True)) == {"done"}
    assert platform_balance(account) == D("1000.00") - held >= 0
    assert reconcile() == [] and hold_differences() == []


def test_concurrent_approvals_of_one_withdrawal_apply_once(client_user, usd, bank):
    account = funded_account(client_user, "5000.00")
    withdrawal = request_withdrawal(client_user, account, bank, "1000.00")
    staff = [UserFactory(role="staff", is_superuser=True) for _ in range(10)]

    def approve(index: int):
        try:
            return services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff[index]).status
        except FundsError as error:
            return error.code

    results, errors = run_in_threads(approve, count=10)

    assert errors == []
    assert sorted(results) == ["approved"] + ["withdrawal_already_approved"] * 9
    assert withdrawal.events.filter(action="approved").count() == 1


def test_above_the_threshold_concurrent_approvals_make_one_first_and_one_second(client_user, usd, bank):
    settings = WithdrawalSettings.load()
    settings.second_approval_threshold = D("500.00")
    settings.save()
    account = funded_account(client_user, "5000.00")
    withdrawal = request_withdrawal(client_user, account, bank, "1000.00")
    staff = [UserFactory(role="staff", is_superuser=True) for _ in range(10)]

    def approve(index: int):
        try:
            return services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff[index]).status
        except FundsError as error:
            return error.code

    results, errors = run_in_threads(approve, count=10)

    assert errors == []
    assert sorted(results) == ["approved", "approved"] + ["withdrawal_already_approved"] * 8
    withdrawal.refresh_from_db()
    assert withdrawal.second_approver is not None and withdrawal.second_approver != withdrawal.decided_by


def test_paying_rejecting_and_cancelling_at_once_settle_one_way(client_user, usd, bank):
    account = funded_account(client_user, "5000.00")
    withdrawal = request_withdrawal(client_user, account, bank, "1000.00")
    run_outbox()
    staff = UserFactory(role="staff", is_superuser=True)
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    calls = [
        lambda: services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R"),
        lambda: services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="No"),
        lambda: services.withdrawal_fail(withdrawal_id=withdrawal.pk, by=staff, reason="Bounced"),
    ] * 4

    def decide(index: int):
        try:
            return calls[index]().status
        except FundsError as error:
            return error.code

    results, errors = run_in_threads(decide, count=len(calls))

    assert errors == []
    winners = [result for result in results if result in ("paid", "rejected", "failed")]
    assert len(winners) == 1
    withdrawal.refresh_from_db()
    assert withdrawal.status == winners[0]
    assert Journal.objects.filter(reference=f"withdrawals.withdrawal:{withdrawal.pk}").count() == 2
    run_outbox()
    expected = D("4000.00") if winners[0] == "paid" else D("5000.00")
    assert platform_balance(account) == expected
    assert reconcile() == [] and hold_differences() == []
