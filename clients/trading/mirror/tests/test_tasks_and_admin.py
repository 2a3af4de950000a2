from datetime import timedelta

import pytest
import time_machine

from clients.trading.mirror.models import ClosedDeal, DealSyncState
from clients.trading.mirror.selectors import closed_deals_of_accounts, deal_sync_states, deals_last_synced_at
from clients.trading.mirror.services import deals_sync
from clients.trading.mirror.tasks import reread_recent_deals, sync_deals
from clients.trading.mirror.tests.conftest import T0
from crm.celery import app
from crm.platforms.simulator.corrections import sim_deal_delete
from crm.users.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_tasks_are_scheduled():
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {"clients.trading.mirror.tasks.sync_deals", "clients.trading.mirror.tasks.reread_recent_deals"} <= schedule
    assert "clients.trading.mirror.tasks.sync_deals" in app.tasks


def test_the_sync_task_copies_and_the_nightly_task_rereads(server, deals):
    assert sync_deals.apply().get() == 4
    assert sync_deals.apply().get() == 0
    sim_deal_delete(server=server, deal_id=2_000_004)

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert reread_recent_deals.apply().get() == {str(server.pk): {"changed": 0, "vanished": 1, "added": 0}}


def test_selectors_read_the_mirror(server, platform, deals):
    ours, _ours_sim, _theirs = platform
    deals_sync(server_id=server.pk)
    sim_deal_delete(server=server, deal_id=2_000_001)
    from clients.trading.mirror.services import deals_reread

    deals_reread(server_id=server.pk, since=T0)

    assert list(closed_deals_of_accounts(account_ids=[ours.pk]).values_list("deal_ticket", flat=True)) == [
        2_000_004,
        2_000_002,
    ]
    assert closed_deals_of_accounts(account_ids=[ours.pk], include_vanished=True).count() == 3
    window = closed_deals_of_accounts(account_ids=[ours.pk], start=T0 + timedelta(hours=1), end=T0 + timedelta(days=1))
    assert [deal.deal_ticket for deal in window] == [2_000_002]
    assert list(deal_sync_states()) == [DealSyncState.objects.get(server=server)]
    assert deals_last_synced_at() == DealSyncState.objects.get(server=server).last_run_at


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_staff_see_the_mirror_read_only_and_can_sync_now(staff_client, server, deals):
    deals_sync(server_id=server.pk)
    deal = ClosedDeal.objects.get(deal_ticket=2_000_002)
    state = DealSyncState.objects.get(server=server)

    assert staff_client.get("/admin/trading/closeddeal/").status_code == 200
    page = staff_client.get(f"/admin/trading/closeddeal/{deal.pk}/change/")
    assert page.status_code == 200 and b"XAUUSD" in page.content
    assert staff_client.get("/admin/trading/closeddeal/add/").status_code == 403
    assert staff_client.post(f"/admin/trading/closeddeal/{deal.pk}/delete/").status_code == 403
    assert staff_client.get("/admin/trading/dealsyncstate/").status_code == 200

    sim_deal_delete(server=server, deal_id=2_000_002)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        staff_client.post("/admin/trading/dealsyncstate/", {"action": "reread_recent", "_selected_action": [state.pk]})
    assert ClosedDeal.objects.get(deal_ticket=2_000_002).vanished_at is not None
    response = staff_client.post(
        "/admin/trading/dealsyncstate/", {"action": "sync_now", "_selected_action": [state.pk]}, follow=True
    )
    assert [str(message) for message in response.context["messages"]] == [
        f"{server}: 0 changed, 1 deleted, 0 missed deals copied.",
        f"{server}: 0 new deals copied.",
    ]
