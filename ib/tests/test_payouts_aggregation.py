"""The payout run: exact sums with reversals, the minimum, the rebate account, never a line twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.audit.models import AuditEntry
from ib.models import CommissionLine, RebateAccount, RebatePayout
from ib.payouts.services import payouts_aggregate
from ib.tests.factories import RebatePlanVersionFactory
from ib.tests.payout_helpers import current_version, ib_with_rebate_account, line, reversal, unpaid

D = Decimal
pytestmark = pytest.mark.django_db


def test_an_ibs_unpaid_lines_become_one_pending_payout_summing_them_reversals_included():
    ib = ib_with_rebate_account()
    first, second, third = line(ib, "12.50"), line(ib, "7.25"), line(ib, "3.10")
    undo = reversal(second)

    created = payouts_aggregate()

    payout = RebatePayout.objects.get()
    assert created == [payout.pk]
    assert (payout.status, payout.amount, payout.currency, payout.line_count) == ("pending", D("15.60"), "USD", 4)
    assert (payout.ib, payout.user, payout.rebate_account) == (ib, ib.user, ib.rebate_accounts.get().trading_account)
    assert payout.order_number.startswith("R") and len(payout.order_number) == 15
    assert sorted(payout.lines.values_list("id", flat=True)) == sorted([first.pk, second.pk, third.pk, undo.pk])
    assert list(payout.events.values_list("from_status", "to_status", "actor")) == [("", "pending", None)]
    assert AuditEntry.objects.filter(action="rebatepayout.aggregated", target_id=str(payout.pk)).count() == 1


def test_running_again_takes_no_line_twice_and_only_pays_the_new_ones():
    ib = ib_with_rebate_account()
    line(ib, "10.00")
    [first] = payouts_aggregate()

    assert payouts_aggregate() == []
    newer = line(ib, "4.00")
    [second] = payouts_aggregate()

    assert first != second
    assert list(RebatePayout.objects.get(pk=second).lines.values_list("id", flat=True)) == [newer.pk]
    assert RebatePayout.objects.get(pk=second).amount == D("4.00")
    assert unpaid(ib) == []


def test_a_sum_below_the_minimum_payout_waits_and_is_paid_once_it_reaches_it():
    ib = ib_with_rebate_account(minimum_payout="50")
    line(ib, "30.00")
    line(ib, "19.99")

    assert payouts_aggregate() == []
    assert len(unpaid(ib)) == 2

    line(ib, "0.01")
    [payout_id] = payouts_aggregate()
    assert RebatePayout.objects.get(pk=payout_id).amount == D("50.00")


def test_the_minimum_is_the_current_published_versions():
    ib = ib_with_rebate_account(minimum_payout="100")
    line(ib, "30.00")
    plan = ib.plan
    # A draft and a version from next month set nothing yet; the newest version in effect does.
    RebatePlanVersionFactory(plan=plan, minimum_payout=D("1"), status="draft", published_at=None)
    RebatePlanVersionFactory(plan=plan, minimum_payout=D("1"), effective_from=timezone.now() + timedelta(days=30))
    assert payouts_aggregate() == []

    RebatePlanVersionFactory(plan=plan, minimum_payout=D("20"), effective_from=timezone.now() - timedelta(days=1))
    assert len(payouts_aggregate()) == 1


def test_a_negative_or_zero_sum_waits():
    ib = ib_with_rebate_account()
    paid = line(ib, "10.00")
    payouts_aggregate()
    reversal(paid)  # the deal changed after it was paid: the next payout owes it back
    assert payouts_aggregate() == []
    line(ib, "4.00")
    assert payouts_aggregate() == []  # −10 + 4

    line(ib, "6.00")  # −10 + 4 + 6 = 0
    assert payouts_aggregate() == []
    line(ib, "0.004")  # above zero, but nothing the platform can credit at 2 decimals
    assert payouts_aggregate() == []
    line(ib, "2.50")
    [payout_id] = payouts_aggregate()
    payout = RebatePayout.objects.get(pk=payout_id)
    assert (payout.amount, payout.line_count) == (D("2.504"), 5)


def test_without_an_enabled_live_active_rebate_account_the_lines_wait():
    without = ib_with_rebate_account(enabled=False)
    disabled = ib_with_rebate_account()
    disabled_account = disabled.rebate_accounts.get().trading_account
    disabled_account.status = "disabled"
    disabled_account.save()
    for ib in (without, disabled):
        line(ib, "10.00")

    assert payouts_aggregate() == []
    assert RebatePayout.objects.count() == 0
    assert CommissionLine.objects.filter(payout__isnull=False).count() == 0

    RebateAccount.objects.filter(ib=without).update(is_enabled=True)
    assert len(payouts_aggregate()) == 1


def test_lines_in_another_currency_than_the_rebate_account_wait_and_are_logged(caplog):
    from funds.tests.factories import currency

    currency("EUR")
    ib = ib_with_rebate_account()
    usd = line(ib, "10.00")
    eur = line(ib, "8.00", currency_code="EUR")

    [payout_id] = payouts_aggregate()

    assert list(RebatePayout.objects.get(pk=payout_id).lines.values_list("id", flat=True)) == [usd.pk]
    assert unpaid(ib) == [eur.pk]
    assert "its rebate account is in USD; the lines wait" in caplog.text


def test_each_ib_is_paid_its_own_lines():
    ibs = [ib_with_rebate_account() for _index in range(3)]
    for index, ib in enumerate(ibs):
        line(ib, f"{index + 1}.00")
        line(ib, "0.50")

    created = payouts_aggregate()

    payouts = RebatePayout.objects.filter(pk__in=created).order_by("ib_id")
    assert [(payout.ib_id, payout.amount, payout.line_count) for payout in payouts] == [
        (ibs[0].pk, D("1.50"), 2),
        (ibs[1].pk, D("2.50"), 2),
        (ibs[2].pk, D("3.50"), 2),
    ]
    assert all(set(payout.lines.values_list("ib_id", flat=True)) == {payout.ib_id} for payout in payouts)


def test_a_line_committed_late_under_the_max_id_rolls_that_ib_back_and_pays_the_others(monkeypatch):
    """The engine's transaction commits a line with a lower id after the sum was read: the attached sum
    no longer matches, so the chunk is rolled back, the other IBs are paid one by one, and that IB's
    lines wait, whole, for the next run."""
    from ib.payouts import selectors
    from ib.payouts.services import aggregation

    late_ib, other_ib = ib_with_rebate_account(), ib_with_rebate_account()
    line(late_ib, "10.00")
    late = line(late_ib, "5.00")
    line(other_ib, "7.00")
    real = selectors.unpaid_totals_of

    def sums_without_the_late_line(*, ib_ids):
        totals = real(ib_ids=ib_ids)
        if late_ib.pk in totals:
            [seen] = totals[late_ib.pk]
            totals[late_ib.pk] = [
                selectors.UnpaidTotal(late_ib.pk, "USD", seen.total - late.amount, 1, seen.max_line_id)
            ]
        return totals

    monkeypatch.setattr(aggregation.selectors, "unpaid_totals_of", sums_without_the_late_line)
    [other_payout] = payouts_aggregate()

    assert RebatePayout.objects.get().pk == other_payout
    assert RebatePayout.objects.get().ib == other_ib
    assert len(unpaid(late_ib)) == 2 and unpaid(other_ib) == []
    assert AuditEntry.objects.filter(action="rebatepayout.aggregated").count() == 1

    monkeypatch.setattr(aggregation.selectors, "unpaid_totals_of", real)
    [payout_id] = payouts_aggregate()
    assert RebatePayout.objects.get(pk=payout_id).amount == D("15.00")


def test_a_run_larger_than_a_chunk_pays_every_ib(monkeypatch):
    from ib.payouts.services import aggregation

    monkeypatch.setattr(aggregation, "CHUNK", 2)
    ibs = [ib_with_rebate_account() for _index in range(5)]
    for index, ib in enumerate(ibs):
        line(ib, f"{index + 1}.00")

    created = payouts_aggregate()

    assert len(created) == 5
    assert sorted(RebatePayout.objects.values_list("ib_id", "amount")) == [
        (ib.pk, D(f"{index + 1}.00")) for index, ib in enumerate(ibs)
    ]
    assert len(set(RebatePayout.objects.values_list("order_number", flat=True))) == 5


def test_an_ib_without_a_plan_has_no_minimum():
    ib = ib_with_rebate_account(minimum_payout="100")
    version = current_version(ib)
    line(ib, "1.00")
    type(ib).objects.filter(pk=ib.pk).update(plan=None)
    assert version.minimum_payout == D("100")
    assert len(payouts_aggregate()) == 1
