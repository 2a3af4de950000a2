"""What a platform manager does to closed deals: the deal changes, the balance follows, refusals change nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from crm.platforms.errors import PlatformRejected
from crm.platforms.simulator.corrections import sim_deal_correct, sim_deal_delete
from crm.platforms.simulator.models import SimAccount, SimDeal
from crm.platforms.simulator.services import sim_symbols_install
from crm.platforms.tests.factories import open_account


@pytest.fixture
def deal(server, gateway):
    sim_symbols_install()
    login = open_account(gateway, deposit="1000.00")
    account = SimAccount.objects.get(server=server, login=login)
    now = timezone.now()
    deal = SimDeal.objects.create(
        server=server,
        account=account,
        deal_id=77,
        position_id=76,
        symbol="EURUSD",
        side="buy",
        volume_lots=Decimal("1.00"),
        open_time=now,
        open_price=Decimal("1.08000"),
        close_time=now,
        close_price=Decimal("1.08100"),
        profit=Decimal("100.00"),
        commission=Decimal("-7.00"),
        swap=Decimal("-1.50"),
        spread_cost=Decimal("10.00"),
    )
    # The balance holds the deal's result, as after a simulated close.
    SimAccount.objects.filter(pk=account.pk).update(balance=Decimal("1091.50"))
    return deal


def balance(deal) -> Decimal:
    return SimAccount.objects.get(pk=deal.account_id).balance


def figures(deal_id: int) -> tuple:
    return (
        SimDeal.objects.filter(deal_id=deal_id)
        .values_list("symbol", "volume_lots", "profit", "commission", "swap", "spread_cost")
        .get()
    )


def test_a_correction_changes_the_deal_and_moves_the_balance_by_the_difference(server, gateway, deal):
    corrected = sim_deal_correct(
        server=server, deal_id=77, volume_lots=Decimal("0.50"), profit=Decimal("50.00"), commission=Decimal("-3.50")
    )

    assert figures(77) == (
        "EURUSD",
        Decimal("0.50"),
        Decimal("50.00"),
        Decimal("-3.50"),
        Decimal("-1.50"),
        Decimal("10.00"),
    )
    assert corrected.volume_lots == Decimal("0.50")
    assert balance(deal) == Decimal("1045.00")  # 1000 + 50 - 3.50 - 1.50
    assert gateway.account_state(deal.account.login).balance == Decimal("1045.00")
    assert [
        (d.volume_lots, d.profit, d.commission) for d in gateway.closed_deals([deal.account.login], deal.close_time)
    ] == [(Decimal("0.50"), Decimal("50.00"), Decimal("-3.50"))]


def test_a_correction_of_spread_cost_or_symbol_leaves_the_balance(server, deal):
    sim_deal_correct(server=server, deal_id=77, spread_cost=Decimal("12.00"), symbol="GBPUSD")

    assert figures(77) == (
        "GBPUSD",
        Decimal("1.00"),
        Decimal("100.00"),
        Decimal("-7.00"),
        Decimal("-1.50"),
        Decimal("12.00"),
    )
    assert balance(deal) == Decimal("1091.50")


def test_a_deletion_takes_the_deals_result_out_of_the_balance(server, gateway, deal):
    sim_deal_delete(server=server, deal_id=77)

    assert not SimDeal.objects.filter(deal_id=77).exists()
    assert balance(deal) == Decimal("1000.00")
    assert gateway.closed_deals(None, deal.close_time) == []


@pytest.mark.parametrize(
    "change",
    [
        {"volume_lots": Decimal("0")},
        {"volume_lots": Decimal("0.001")},
        {"profit": Decimal("1.234")},
        {"commission": Decimal("NaN")},
        {"symbol": "NOPE"},
    ],
)
def test_an_invalid_correction_is_refused_and_changes_nothing(server, deal, change):
    before = figures(77)

    with pytest.raises(PlatformRejected):
        sim_deal_correct(server=server, deal_id=77, **change)

    assert figures(77) == before
    assert balance(deal) == Decimal("1091.50")


def test_an_unknown_deal_is_refused(server, deal):
    with pytest.raises(PlatformRejected) as refused:
        sim_deal_delete(server=server, deal_id=78)

    assert refused.value.code == "invalid_request"
    assert SimDeal.objects.count() == 1
    assert balance(deal) == Decimal("1091.50")


def test_staff_correct_and_delete_deals_from_the_admin(staff_client, server, deal):
    url = "/admin/simulator/simdeal/"
    form = staff_client.post(url, {"action": "correct_deals", "_selected_action": [deal.pk]})
    assert form.status_code == 200 and b"spread_cost" in form.content

    staff_client.post(
        url, {"action": "correct_deals", "_selected_action": [deal.pk], "apply": "1", "profit": "80.00", "swap": ""}
    )
    assert figures(77)[2:5] == (Decimal("80.00"), Decimal("-7.00"), Decimal("-1.50"))
    assert balance(deal) == Decimal("1071.50")

    confirm = staff_client.post(url, {"action": "delete_deals_on_platform", "_selected_action": [deal.pk]})
    assert confirm.status_code == 200 and SimDeal.objects.filter(deal_id=77).exists()
    staff_client.post(url, {"action": "delete_deals_on_platform", "_selected_action": [deal.pk], "apply": "1"})
    assert not SimDeal.objects.filter(deal_id=77).exists()
    assert balance(deal) == Decimal("1000.00")
