import pytest

from crm.permissions import demo, selectors
from crm.permissions.models import Menu, MenuButton

pytestmark = pytest.mark.django_db


def test_demo_menus_load_and_loading_again_changes_nothing():
    demo.load_demo_data()
    first = (Menu.objects.count(), MenuButton.objects.count())
    Menu.objects.filter(code="accounts").update(path="/changed", is_enabled=False)

    demo.load_demo_data()

    assert (Menu.objects.count(), MenuButton.objects.count()) == first
    assert Menu.objects.get(code="accounts").path == "/accounts"
    assert Menu.objects.get(code="accounts").is_enabled is True


def test_demo_portals():
    demo.load_demo_data()

    client_actions = selectors.menu_actions(selectors.menu_tree(audience="client"))
    ib_tree = selectors.menu_tree(audience="ib")

    assert client_actions["accounts"] == ["open_live", "open_demo", "change_leverage", "change_password"]
    assert {"dashboard", "deposit", "withdrawal", "transfer", "reports", "messages", "kyc", "downloads"} <= set(
        client_actions
    )
    assert [node.code for node in ib_tree] == [
        "ib_dashboard",
        "ib_clients",
        "ib_client_accounts",
        "ib_commission_reports",
        "ib_rebate_accounts",
        "ib_messages",
        "ib_referral_link",
    ]
    assert all(Menu.objects.get(code=node.code).audience == "ib" for node in ib_tree)
