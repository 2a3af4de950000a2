"""public.permission.*: the menus and buttons of the portals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.permissions import selectors
from crm.permissions.models import Audience
from crm.permissions.tests.factories import MenuButtonFactory, MenuFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUTTONS_URL = "/api/v1/public/permission/get-button-permissions"
MENUS_URL = "/api/v1/public/permission/get-menu-permissions"
LIST_URL = "/api/v1/public/permission/list-menus"


def names(zh, en):
    return {"zh-CN": zh, "en-US": en}


@pytest.fixture
def portals():
    """A client portal with a sub-menu, and an IB portal; disabled rows that must not show."""
    accounts = MenuFactory(
        code="accounts", name_i18n=names("交易账户", "Accounts"), path="/accounts", icon="wallet", position=1
    )
    MenuButtonFactory(menu=accounts, code="open_live", name_i18n=names("开立真实账户", "Open live"), position=1)
    MenuButtonFactory(menu=accounts, code="open_demo", name_i18n=names("开立模拟账户", "Open demo"), position=2)
    MenuButtonFactory(menu=accounts, code="retired", is_enabled=False)
    funds = MenuFactory(code="funds", name_i18n=names("资金", "Funds"), path="/funds", icon="bank", position=2)
    deposit = MenuFactory(code="deposit", parent=funds, name_i18n=names("入金", "Deposit"), path="/funds/deposit")
    MenuButtonFactory(menu=deposit, code="create", name_i18n=names("申请入金", "Request a deposit"))
    MenuFactory(code="dashboard", name_i18n=names("首页", "Dashboard"), path="/dashboard", position=0)
    hidden = MenuFactory(code="hidden", is_enabled=False, position=3)
    MenuFactory(code="under_hidden", parent=hidden)
    ib_clients = MenuFactory(
        code="ib_clients", audience=Audience.IB, name_i18n=names("我的客户", "Clients"), path="/ib/clients"
    )
    MenuButtonFactory(menu=ib_clients, code="export", name_i18n=names("导出", "Export"))


CLIENT_MENUS_ZH = [
    {"code": "dashboard", "name": "首页", "path": "/dashboard", "icon": "", "buttons": [], "children": []},
    {
        "code": "accounts",
        "name": "交易账户",
        "path": "/accounts",
        "icon": "wallet",
        "buttons": [{"code": "open_live", "name": "开立真实账户"}, {"code": "open_demo", "name": "开立模拟账户"}],
        "children": [],
    },
    {
        "code": "funds",
        "name": "资金",
        "path": "/funds",
        "icon": "bank",
        "buttons": [],
        "children": [
            {
                "code": "deposit",
                "name": "入金",
                "path": "/funds/deposit",
                "icon": "",
                "buttons": [{"code": "create", "name": "申请入金"}],
                "children": [],
            }
        ],
    },
]
CLIENT_ACTIONS = {"dashboard": [], "accounts": ["open_live", "open_demo"], "funds": [], "deposit": ["create"]}
IB_MENUS_EN = [
    {
        "code": "ib_clients",
        "name": "Clients",
        "path": "/ib/clients",
        "icon": "",
        "buttons": [{"code": "export", "name": "Export"}],
        "children": [],
    }
]


def test_button_permissions_of_a_client(api, portals, user):
    response = api.login_as(user).get(BUTTONS_URL)

    assert response.status_code == 200
    assert response.json() == {"audience": "client", "actions": CLIENT_ACTIONS, "menus": CLIENT_MENUS_ZH}


def test_button_permissions_in_english(api, portals, user):
    response = api.login_as(user).get(BUTTONS_URL, HTTP_X_LANGUAGE="en-US")

    menus = response.json()["menus"]
    assert [menu["name"] for menu in menus] == ["Dashboard", "Accounts", "Funds"]
    assert menus[1]["buttons"] == [
        {"code": "open_live", "name": "Open live"},
        {"code": "open_demo", "name": "Open demo"},
    ]
    assert menus[2]["children"][0]["buttons"] == [{"code": "create", "name": "Request a deposit"}]


def test_button_permissions_in_the_users_language_without_a_header(api, portals):
    english_user = UserFactory(language="en-US")

    response = api.login_as(english_user).get(BUTTONS_URL)

    assert [menu["name"] for menu in response.json()["menus"]] == ["Dashboard", "Accounts", "Funds"]


def test_an_ib_has_both_portals(api, portals):
    ib_api = api.login_as(UserFactory(role=User.Role.IB))

    client_portal = ib_api.get(BUTTONS_URL)
    ib_portal = ib_api.get(BUTTONS_URL, {"audience": "ib"}, HTTP_X_LANGUAGE="en-US")

    assert client_portal.json() == {"audience": "client", "actions": CLIENT_ACTIONS, "menus": CLIENT_MENUS_ZH}
    assert ib_portal.status_code == 200
    assert ib_portal.json() == {"audience": "ib", "actions": {"ib_clients": ["export"]}, "menus": IB_MENUS_EN}


def test_a_client_asking_for_the_ib_portal_is_refused(api, portals, user):
    response = api.login_as(user).get(BUTTONS_URL, {"audience": "ib"}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 403
    assert response.json() == {
        "code": "not_an_ib",
        "message": "Only introducing brokers have the IB portal.",
        "fields": {},
    }


@pytest.mark.parametrize("audience", ["admin", "IB", "staff"])
def test_button_permissions_refuse_an_unknown_audience(api, user, audience):
    response = api.login_as(user).get(BUTTONS_URL, {"audience": audience})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["fields"]) == ["audience"]


def test_menu_permissions_detect_the_portal(api, portals, user):
    client_response = api.login_as(user).get(MENUS_URL)
    ib_response = api.login_as(UserFactory(role=User.Role.IB)).get(MENUS_URL, HTTP_X_LANGUAGE="en-US")

    assert client_response.status_code == 200
    assert client_response.json() == {"audience": "client", "actions": CLIENT_ACTIONS, "menus": CLIENT_MENUS_ZH}
    assert ib_response.status_code == 200
    assert ib_response.json() == {"audience": "ib", "actions": {"ib_clients": ["export"]}, "menus": IB_MENUS_EN}


@pytest.mark.parametrize("url", [BUTTONS_URL, MENUS_URL])
def test_staff_have_no_portal_menus(api, portals, url):
    response = api.login_as(UserFactory(role=User.Role.STAFF)).get(url)

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_portal_user"


def test_no_menus_yet(api, user):
    response = api.login_as(user).get(MENUS_URL)

    assert response.json() == {"audience": "client", "actions": {}, "menus": []}


def test_list_menus_gives_both_portals(api, portals, user):
    response = api.login_as(user).get(LIST_URL, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 200
    body = response.json()
    assert [(menu["audience"], menu["code"]) for menu in body["list"]] == [
        ("client", "dashboard"),
        ("client", "accounts"),
        ("client", "funds"),
        ("ib", "ib_clients"),
    ]
    assert body["list"][2] == {
        "code": "funds",
        "audience": "client",
        "name": "Funds",
        "name_i18n": {"zh-CN": "资金", "en-US": "Funds"},
        "path": "/funds",
        "icon": "bank",
        "position": 2,
        "buttons": [],
        "children": [
            {
                "code": "deposit",
                "audience": "client",
                "name": "Deposit",
                "name_i18n": {"zh-CN": "入金", "en-US": "Deposit"},
                "path": "/funds/deposit",
                "icon": "",
                "position": 0,
                "buttons": [
                    {
                        "code": "create",
                        "name": "Request a deposit",
                        "name_i18n": {"zh-CN": "申请入金", "en-US": "Request a deposit"},
                    }
                ],
                "children": [],
            }
        ],
    }


@pytest.mark.parametrize("url", [BUTTONS_URL, MENUS_URL, LIST_URL])
def test_menus_need_a_login(api, url):
    response = api.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def deep_tree(depth: int, width: int) -> None:
    parents = [None]
    for _level in range(depth):
        parents = [MenuFactory(parent=parent) for parent in parents for _index in range(width)]
        for menu in parents:
            MenuButtonFactory.create_batch(2, menu=menu)


@pytest.mark.parametrize("audience", ["client", None])
def test_menu_tree_is_two_queries_whatever_its_size(django_assert_num_queries, audience):
    deep_tree(depth=1, width=1)
    with django_assert_num_queries(2):  # the menus, their buttons
        small = selectors.menu_tree(audience=audience)

    deep_tree(depth=3, width=3)
    with django_assert_num_queries(2):
        large = selectors.menu_tree(audience=audience)
        actions = selectors.menu_actions(large)

    assert (len(small), len(large), len(actions)) == (1, 4, 1 + 3 + 9 + 27)
    assert all(len(buttons) == 2 for buttons in actions.values())


def permission_queries(context) -> list[str]:
    return [query["sql"] for query in context.captured_queries if "permissions_" in query["sql"]]


@pytest.mark.parametrize("url", [MENUS_URL, LIST_URL])
def test_menu_apis_read_the_tree_in_two_queries(api, user, url):
    user_api = api.login_as(user)
    deep_tree(depth=3, width=3)

    # Only the menu tables are counted: the token and time zone reads are the same for every request.
    with CaptureQueriesContext(connection) as context:
        response = user_api.get(url)

    assert response.status_code == 200
    assert len(permission_queries(context)) == 2
