"""Workers running the commission steps at the same moment, on real connections: each deal is
priced once per IB, each line reversed once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count

from crm.platforms.tests.helpers import run_in_threads
from ib.commissions.engine import commissions_compute, commissions_reverse_changed
from ib.models import CommissionLine, CommissionRunState
from ib.tests.commission_scenarios import client_account, deal, ib_chain, plan_with_rates

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 4


def twelve_deals_under_three_levels():
    version = plan_with_rates("5", "2", "1")
    bottom, _middle, _top = ib_chain(3, version.plan)
    accounts = [client_account(bottom) for _ in range(3)]
    return [deal(accounts[number % 3]) for number in range(12)]


def test_workers_computing_at_once_price_each_deal_once_per_ib():
    deals = twelve_deals_under_three_levels()

    results, errors = run_in_threads(lambda _index: commissions_compute(batch_size=5), count=WORKERS)

    assert errors == []
    assert sum(results) == 36
    assert CommissionLine.objects.count() == 36
    assert not CommissionLine.objects.values("deal", "ib").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert sum(CommissionLine.objects.values_list("amount", flat=True)) == D("96.00")
    assert CommissionRunState.objects.get().last_deal_id == deals[-1].pk
    assert CommissionRunState.objects.count() == 1


def test_workers_reversing_at_once_reverse_each_line_once():
    deals = twelve_deals_under_three_levels()
    commissions_compute()
    for closed in deals[:4]:
        closed.volume_lots = D("2.00")
        closed.revision = 2
        closed.save(update_fields=["volume_lots", "revision"])

    results, errors = run_in_threads(lambda _index: commissions_reverse_changed(), count=WORKERS)

    assert errors == []
    assert sorted(results) == [0] * (WORKERS - 1) + [24]
    assert CommissionLine.objects.filter(kind="reversal").count() == 12
    assert CommissionLine.objects.filter(kind="commission", deal_revision=2).count() == 12
    # 12 deals × 8.00, plus 4 deals re-priced at 2 lots: +4 × 8.00.
    assert sum(CommissionLine.objects.values_list("amount", flat=True)) == D("128.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no id commits late")
def test_a_deal_whose_insert_commits_after_a_higher_id_is_not_left_behind():
    version = plan_with_rates("5")
    (ib,) = ib_chain(1, version.plan)
    account = client_account(ib)
    inserted, release = threading.Event(), threading.Event()
    slow: list[int] = []

    def slow_sync():
        try:
            with transaction.atomic():
                slow.append(deal(account).pk)
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    sync = threading.Thread(target=slow_sync)
    sync.start()
    assert inserted.wait(10)
    fast = deal(account)  # a higher id, committed first
    run = threading.Thread(target=lambda: (commissions_compute(), connections.close_all()))
    run.start()
    run.join(1)
    assert run.is_alive()  # waiting for the slow sync to commit
    release.set()
    sync.join()
    run.join(10)

    assert sorted(CommissionLine.objects.values_list("deal_id", flat=True)) == sorted([slow[0], fast.pk])
    assert CommissionRunState.objects.get().last_deal_id == fast.pk
