from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from clients.trading.mirror.models import ClosedDeal, DealSyncState
from clients.trading.mirror.services import RereadResult, deals_reread, deals_reread_recent, deals_sync
from clients.trading.mirror.tests.conftest import T0, sim_deal
from crm.audit.models import AuditEntry
from crm.platforms.errors import PlatformTimeout
from crm.platforms.simulator import faults
from crm.platforms.simulator.corrections import sim_deal_correct, sim_deal_delete

pytestmark = pytest.mark.django_db

FIGURES = ["deal_ticket", "symbol", "symbol_group", "volume_lots", "profit", "commission", "swap", "spread_cost"]


def rows(server) -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in ClosedDeal.objects.filter(server=server).values_list(*FIGURES, "revision", "vanished_at")
    }


@pytest.fixture
def synced(server, deals):
    deals_sync(server_id=server.pk)
    return rows(server)


def test_a_reread_with_nothing_changed_changes_nothing(server, synced):
    assert deals_reread(server_id=server.pk, since=T0) == RereadResult(changed=0, vanished=0, added=0)

    assert rows(server) == synced
    assert DealSyncState.objects.get(server=server).last_reread_at is not None
    assert not AuditEntry.objects.filter(action="closed_deals.reread").exists()


def test_a_corrected_and_a_deleted_deal_are_found_and_nothing_else(server, synced):
    sim_deal_correct(server=server, deal_id=2_000_002, profit=Decimal("-250.00"), volume_lots=Decimal("0.40"))
    sim_deal_delete(server=server, deal_id=2_000_003)

    result = deals_reread(server_id=server.pk, since=T0)

    assert result == RereadResult(changed=1, vanished=1, added=0)
    after = rows(server)
    assert after[2_000_002] == (
        "XAUUSD", "metals", Decimal("0.40"), Decimal("-250.00"), Decimal("-5.00"), Decimal("-1.25"), Decimal("12.50"),
        2, None,
    )  # fmt: skip
    assert after[2_000_003][:-1] == synced[2_000_003][:-1]  # figures and revision as they were
    assert after[2_000_003][-1] is not None
    assert {ticket: after[ticket] for ticket in (2_000_001, 2_000_004)} == {
        ticket: synced[ticket] for ticket in (2_000_001, 2_000_004)
    }
    entry = AuditEntry.objects.get(action="closed_deals.reread")
    assert (entry.actor, entry.data["changed"], entry.data["vanished"]) == (None, 1, 1)

    # Again: nothing new to find; the corrected deal keeps its revision, the deleted one its time.
    assert deals_reread(server_id=server.pk, since=T0) == RereadResult(changed=0, vanished=0, added=0)
    assert rows(server) == after


def test_every_figure_a_manager_can_change_bumps_the_revision(server, synced):
    changes = {
        2_000_001: {"commission": Decimal("-6.00")},
        2_000_002: {"swap": Decimal("0.00")},
        2_000_003: {"spread_cost": Decimal("9.00")},
        2_000_004: {"symbol": "GBPUSD"},
    }
    for deal_id, change in changes.items():
        sim_deal_correct(server=server, deal_id=deal_id, **change)

    assert deals_reread(server_id=server.pk, since=T0).changed == 4

    after = rows(server)
    assert after[2_000_001][4] == Decimal("-6.00")
    assert after[2_000_002][5] == Decimal("0.00")
    assert after[2_000_003][6] == Decimal("9.00")
    assert after[2_000_004][:2] == ("GBPUSD", "forex")
    assert {row[-2] for row in after.values()} == {2}


def test_only_deals_since_the_given_time_are_compared(server, synced):
    sim_deal_delete(server=server, deal_id=2_000_001)  # closed at T0, before the window

    assert deals_reread(server_id=server.pk, since=T0 + timedelta(hours=1)) == RereadResult(0, 0, 0)
    assert rows(server)[2_000_001][-1] is None


def test_a_deal_the_sync_missed_is_copied(server, platform, synced):
    _ours, ours_sim, _theirs = platform
    # Closed before the watermark, so the incremental sync will never ask for it.
    sim_deal(ours_sim, 2_000_050, T0 + timedelta(hours=1))

    assert deals_reread(server_id=server.pk, since=T0) == RereadResult(changed=0, vanished=0, added=1)
    assert ClosedDeal.objects.get(deal_ticket=2_000_050).trading_account == platform[0]


def test_a_vanished_deal_is_not_compared_again(server, synced):
    sim_deal_delete(server=server, deal_id=2_000_004)
    deals_reread(server_id=server.pk, since=T0)
    vanished_at = ClosedDeal.objects.get(deal_ticket=2_000_004).vanished_at

    assert deals_reread(server_id=server.pk, since=T0) == RereadResult(0, 0, 0)
    assert ClosedDeal.objects.get(deal_ticket=2_000_004).vanished_at == vanished_at


def test_a_platform_timeout_changes_nothing(server, synced):
    sim_deal_delete(server=server, deal_id=2_000_004)
    faults.inject(server, "closed_deals", faults.Fault.TIMEOUT_BEFORE)

    with pytest.raises(PlatformTimeout):
        deals_reread(server_id=server.pk, since=T0)

    assert rows(server) == synced
    assert DealSyncState.objects.get(server=server).last_reread_at is None


def test_the_nightly_reread_covers_the_configured_days(server, synced, settings):
    settings.IB_REREAD_DAYS = 2
    sim_deal_delete(server=server, deal_id=2_000_001)  # T0: three days before "now" below
    sim_deal_delete(server=server, deal_id=2_000_004)  # T0 + 1 day 2 hours

    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        results = deals_reread_recent()

    assert results == {server.pk: RereadResult(changed=0, vanished=1, added=0)}
    assert rows(server)[2_000_001][-1] is None
    assert rows(server)[2_000_004][-1] == T0 + timedelta(days=3)
