"""Two workers syncing or ingesting at once, with real threads: every deal is copied exactly once."""

from datetime import timedelta

import pytest

from clients.trading.mirror.models import ClosedDeal, DealSyncState
from clients.trading.mirror.services import deals_ingest, deals_sync
from clients.trading.mirror.tests.conftest import T0, sim_deal
from clients.trading.mirror.tests.test_sync import platform_deal
from crm.platforms.tests.helpers import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_ingests_of_the_same_deals_copy_each_once(server, platform):
    ours, _ours_sim, _theirs = platform
    batch = [platform_deal(ticket, ours.login) for ticket in range(1, 401)]

    results, errors = run_in_threads(
        lambda index: deals_ingest(server=server, deals=batch[index * 50 :] + batch, symbol_groups={}), count=4
    )

    assert errors == []
    assert sum(results) == 400
    assert ClosedDeal.objects.filter(server=server).count() == 400
    assert ClosedDeal.objects.filter(server=server, trading_account=ours).count() == 400


def test_concurrent_syncs_copy_each_deal_once_and_agree_on_the_watermark(server, platform):
    _ours, ours_sim, theirs_sim = platform
    for index in range(60):
        sim_deal(ours_sim if index % 3 else theirs_sim, 4_000_000 + index, T0 + timedelta(minutes=7 * index))

    results, errors = run_in_threads(lambda index: deals_sync(server_id=server.pk), count=4)

    assert errors == []
    assert sum(results) == 60
    assert ClosedDeal.objects.filter(server=server).count() == 60
    assert DealSyncState.objects.get(server=server).watermark == T0 + timedelta(minutes=7 * 59)
    # Ids were committed in close-time order, whichever worker copied what.
    tickets = list(ClosedDeal.objects.filter(server=server).order_by("id").values_list("deal_ticket", flat=True))
    assert tickets == sorted(tickets)
    assert deals_sync(server_id=server.pk) == 0
