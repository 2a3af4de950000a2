"""Payout runs and approvals at once, with real threads (each on its own connection): each line is in
one payout, each payout approved and credited once."""

from decimal import Decimal

import pytest

from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute
from crm.platforms.simulator.models import SimBalanceOperation
from crm.platforms.tests.helpers import run_in_threads
from crm.users.tests.factories import StaffFactory
from funds.ledger.models import Journal
from funds.ledger.reconciliation import reconcile
from funds.ledger.tests.factories import platform_balance
from ib.models import CommissionLine, RebatePayout
from ib.payouts.errors import PayoutConflict
from ib.payouts.services import payout_approve, payouts_aggregate
from ib.tests.payout_helpers import ib_with_rebate_account, line, reversal

D = Decimal


@pytest.mark.django_db(transaction=True)
def test_payout_runs_at_once_put_each_line_in_one_payout():
    ibs = [ib_with_rebate_account() for _index in range(4)]
    expected = {}
    for index, ib in enumerate(ibs):
        amounts = [D(f"{index + 1}.25"), D("3.00"), D("0.75")]
        lines = [line(ib, str(amount)) for amount in amounts]
        reversal(lines[-1])
        expected[ib.pk] = sum(amounts) - amounts[-1]

    created, errors = run_in_threads(lambda _index: payouts_aggregate(), count=4)

    assert errors == []
    ids = [payout_id for run in created for payout_id in run]
    assert len(ids) == len(set(ids)) == 4
    payouts = RebatePayout.objects.order_by("ib_id")
    assert {payout.ib_id: payout.amount for payout in payouts} == expected
    assert all(payout.line_count == 4 for payout in payouts)
    assert CommissionLine.objects.filter(payout__isnull=True).count() == 0
    for payout in payouts:
        assert payout.lines.count() == payout.line_count
        assert sum(payout.lines.values_list("amount", flat=True)) == payout.amount
    assert payouts_aggregate() == []


@pytest.mark.django_db(transaction=True)
def test_staff_approving_one_payout_at_once_approve_it_once_and_it_is_credited_once():
    ib = ib_with_rebate_account()
    line(ib, "42.00")
    [payout_id] = payouts_aggregate()
    staff = [StaffFactory() for _index in range(2)]

    approved, errors = run_in_threads(
        lambda index: payout_approve(payout_id=payout_id, approved_by=staff[index]).status, count=2
    )

    assert approved == ["approved"]
    assert len(errors) == 1
    assert isinstance(errors[0], PayoutConflict)
    assert (errors[0].status, errors[0].code) == (409, "rebate_payout_not_pending")
    assert Journal.objects.count() == 1
    operation = PlatformOperation.objects.get()
    _results, worker_errors = run_in_threads(lambda _index: platform_operation_execute(operation_id=operation.pk), 4)
    assert worker_errors == []

    payout = RebatePayout.objects.select_related("rebate_account").get(pk=payout_id)
    assert payout.status == "paid"
    assert payout.events.filter(to_status="approved").count() == 1
    assert payout.events.filter(to_status="paid").count() == 1
    assert platform_balance(payout.rebate_account) == D("42.00")
    assert SimBalanceOperation.objects.filter(account__login=payout.rebate_account.login).count() == 1
    assert reconcile(server=payout.rebate_account.server) == []
