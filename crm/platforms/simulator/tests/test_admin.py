import pytest
from django.utils import timezone

from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount, SimDeal, SimPendingOrder, SimPosition
from crm.platforms.simulator.services import sim_symbols_install
from crm.platforms.tests.factories import open_account

PAGES = ["simaccount", "simbalanceoperation", "simdeal", "simposition", "simpendingorder", "simsymbol", "simfault"]


@pytest.fixture
def filled(server, gateway):
    sim_symbols_install()
    login = open_account(gateway, deposit="1000.00")
    account = SimAccount.objects.get(login=login)
    now = timezone.now()
    common = {"server": server, "account": account, "symbol": "EURUSD", "volume_lots": "0.10"}
    SimDeal.objects.create(
        **common,
        deal_id=9,
        position_id=8,
        side="buy",
        open_time=now,
        open_price="1.08",
        close_time=now,
        close_price="1.09",
        profit="100.00",
        commission="-0.70",
        swap="0.00",
    )
    SimPosition.objects.create(**common, position_id=7, side="sell", open_time=now, open_price="1.08", close_at=now)
    SimPendingOrder.objects.create(
        **common, order_id=6, order_type="buy_limit", price="1.07", placed_at=now, expires_at=now, hold_minutes=5
    )
    faults.inject(server, "symbols", "latency", seconds=1)
    return account


@pytest.mark.parametrize("page", PAGES)
def test_simulator_pages_render(staff_client, filled, page):
    listing = staff_client.get(f"/admin/simulator/{page}/")

    assert listing.status_code == 200
    row = listing.context["cl"].result_list[0]
    assert staff_client.get(f"/admin/simulator/{page}/{row.pk}/change/").status_code == 200


def test_account_pages_never_show_password_hashes(staff_client, filled):
    page = staff_client.get(f"/admin/simulator/simaccount/{filled.pk}/change/").content.decode()

    assert filled.main_password not in page
    assert filled.investor_password not in page
    assert str(filled.login) in page
