"""Deals corrected or deleted on the platform after they were priced: reversed, never edited."""

from decimal import Decimal

import pytest
from django.utils import timezone

from crm.audit.models import AuditEntry
from ib.commissions.engine import commissions_compute, commissions_reverse_changed
from ib.models import CommissionLine, RebatePayout
from ib.tests.commission_scenarios import client_account, deal, ib_chain, lines, plan_with_rates

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def priced():
    """A two-level chain, one deal of 1 lot priced at 5.00 + 2.00."""
    version = plan_with_rates("5", "2")
    bottom, top = ib_chain(2, version.plan)
    closed = deal(client_account(bottom))
    commissions_compute()
    return closed, bottom, top


def correct(closed, **figures):
    for name, value in figures.items():
        setattr(closed, name, value)
    closed.revision += 1
    closed.save()


def test_nothing_changed_nothing_reversed(priced):
    assert commissions_reverse_changed() == 0
    assert CommissionLine.objects.count() == 2
    assert not AuditEntry.objects.filter(action="commissions.reversed").exists()


def test_a_corrected_deal_is_reversed_and_priced_again_at_its_new_revision(priced):
    closed, bottom, top = priced
    original = {line.ib_id: line for line in CommissionLine.objects.all()}
    correct(closed, volume_lots=D("3.00"))

    assert commissions_reverse_changed() == 4

    by_key = {(line.ib_id, line.kind, line.deal_revision): line for line in CommissionLine.objects.filter(deal=closed)}
    assert {key: line.amount for key, line in by_key.items()} == {
        (bottom.pk, "commission", 1): D("5.00"),
        (bottom.pk, "reversal", 1): D("-5.00"),
        (bottom.pk, "commission", 2): D("15.00"),
        (top.pk, "commission", 1): D("2.00"),
        (top.pk, "reversal", 1): D("-2.00"),
        (top.pk, "commission", 2): D("6.00"),
    }
    for ib_id, line in original.items():
        reversal = by_key[(ib_id, "reversal", 1)]
        assert (reversal.reverses_id, reversal.level, reversal.lots, reversal.client_id, reversal.plan_version_id) == (
            line.pk,
            line.level,
            line.lots,
            line.client_id,
            line.plan_version_id,
        )
        kept = CommissionLine.objects.get(pk=line.pk)
        assert (kept.amount, kept.deal_revision, kept.calculated_at) == (line.amount, 1, line.calculated_at)
    assert by_key[(bottom.pk, "commission", 2)].lots == D("3.00")
    assert AuditEntry.objects.get(action="commissions.reversed").data == {"reversals": 2, "fresh_lines": 2}


def test_a_vanished_deal_is_only_reversed(priced):
    closed, bottom, top = priced
    closed.vanished_at = timezone.now()
    closed.save(update_fields=["vanished_at"])

    assert commissions_reverse_changed() == 2

    assert lines() == [
        (closed.pk, bottom.pk, 0, D("5.00"), "commission"),
        (closed.pk, bottom.pk, 0, D("-5.00"), "reversal"),
        (closed.pk, top.pk, 1, D("2.00"), "commission"),
        (closed.pk, top.pk, 1, D("-2.00"), "reversal"),
    ]
    assert sum(CommissionLine.objects.values_list("amount", flat=True)) == D("0")


def test_reversing_twice_reverses_once(priced):
    closed, _bottom, _top = priced
    correct(closed, commission=D("-9.00"))
    assert commissions_reverse_changed() == 4
    snapshot = list(CommissionLine.objects.order_by("id").values_list("id", "amount", "kind", "deal_revision"))

    assert commissions_reverse_changed() == 0
    assert commissions_compute() == 0

    assert list(CommissionLine.objects.order_by("id").values_list("id", "amount", "kind", "deal_revision")) == snapshot


def test_corrected_twice_then_deleted_reverses_every_line_once(priced):
    closed, _bottom, _top = priced
    correct(closed, volume_lots=D("2.00"))
    commissions_reverse_changed()
    correct(closed, volume_lots=D("4.00"))
    commissions_reverse_changed()
    closed.vanished_at = timezone.now()
    closed.save(update_fields=["vanished_at"])

    assert commissions_reverse_changed() == 2

    assert CommissionLine.objects.filter(kind="commission").count() == 6
    assert CommissionLine.objects.filter(kind="reversal").count() == 6
    assert not CommissionLine.objects.filter(kind="commission", reversed_by__isnull=True).exists()
    assert sum(CommissionLine.objects.values_list("amount", flat=True)) == D("0")


def test_a_line_already_in_a_payout_is_left_as_it_is_and_its_reversal_waits_unpaid(priced):
    closed, bottom, _top = priced
    line = CommissionLine.objects.get(ib=bottom)
    account = client_account(bottom)
    payout = RebatePayout.objects.create(
        order_number="RB-TEST-1",
        ib=bottom,
        user=bottom.user,
        rebate_account=account,
        amount=line.amount,
        currency="USD",
        line_count=1,
    )
    CommissionLine.objects.filter(pk=line.pk).update(payout=payout)
    correct(closed, volume_lots=D("0.50"))

    commissions_reverse_changed()

    kept = CommissionLine.objects.get(pk=line.pk)
    assert (kept.amount, kept.payout_id, kept.deal_revision) == (D("5.00"), payout.pk, 1)
    reversal = kept.reversed_by
    assert (reversal.amount, reversal.payout_id) == (D("-5.00"), None)
    assert CommissionLine.objects.get(ib=bottom, kind="commission", deal_revision=2).amount == D("2.50")


def test_a_correction_before_the_first_run_is_priced_at_its_revision_without_reversal():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    closed = deal(client_account(ib), revision=3)

    assert commissions_compute() == 1
    assert commissions_reverse_changed() == 0

    assert list(CommissionLine.objects.values_list("deal_revision", "kind", "amount")) == [(3, "commission", D("5.00"))]
    assert closed.pk == CommissionLine.objects.get().deal_id


def test_the_task_computes_then_reverses_and_is_scheduled_every_five_minutes(priced):
    from crm.celery import app
    from ib.commissions.tasks import compute_commissions

    closed, _bottom, _top = priced
    correct(closed, volume_lots=D("2.00"))
    deal(closed.trading_account)

    assert compute_commissions() == {"computed": 2, "reversed": 4}
    assert compute_commissions() == {"computed": 0, "reversed": 0}
    assert "ib.commissions.tasks.compute_commissions" in app.tasks
    assert {"task": "ib.commissions.tasks.compute_commissions", "schedule": 300.0} in app.conf.beat_schedule.values()
