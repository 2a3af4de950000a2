import pytest
from django.urls import reverse

from crm.permissions.models import Audience, Menu, MenuButton
from crm.permissions.tests.factories import MenuButtonFactory, MenuFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True))
    return client


def test_menu_pages_open(staff_client):
    parent = MenuFactory(code="funds")
    menu = MenuFactory(code="deposit", parent=parent)
    MenuButtonFactory(menu=menu, code="create")

    changelist = staff_client.get(reverse("admin:permissions_menu_changelist"))
    searched = staff_client.get(reverse("admin:permissions_menu_changelist"), {"q": "create"})
    filtered = staff_client.get(reverse("admin:permissions_menu_changelist"), {"audience": "ib"})
    change = staff_client.get(reverse("admin:permissions_menu_change", args=[menu.pk]))
    add = staff_client.get(reverse("admin:permissions_menu_add"))

    assert [page.status_code for page in (changelist, searched, filtered, change, add)] == [200] * 5
    assert list(searched.context["cl"].result_list) == [menu]
    assert list(filtered.context["cl"].result_list) == []
    assert 'name="buttons-0-code"' in change.content.decode()


def menu_form(**fields):
    return {
        "audience": "client",
        "parent": "",
        "code": "accounts",
        "name_i18n": '{"zh-CN": "交易账户", "en-US": "Accounts"}',
        "path": "/accounts",
        "icon": "wallet",
        "position": "1",
        "is_enabled": "on",
        "buttons-TOTAL_FORMS": "1",
        "buttons-INITIAL_FORMS": "0",
        "buttons-MIN_NUM_FORMS": "0",
        "buttons-MAX_NUM_FORMS": "1000",
        "buttons-0-code": "open_live",
        "buttons-0-name_i18n": '{"zh-CN": "开立真实账户", "en-US": "Open live"}',
        "buttons-0-position": "0",
        "buttons-0-is_enabled": "on",
    } | fields


def test_staff_add_a_menu_with_its_buttons(staff_client):
    response = staff_client.post(reverse("admin:permissions_menu_add"), menu_form())

    assert response.status_code == 302
    menu = Menu.objects.get()
    assert (menu.code, menu.audience, menu.name_i18n) == (
        "accounts",
        "client",
        {"zh-CN": "交易账户", "en-US": "Accounts"},
    )
    assert list(menu.buttons.values_list("code", flat=True)) == ["open_live"]


def test_a_sub_menu_stays_in_its_parents_portal(staff_client):
    ib_parent = MenuFactory(code="ib_clients", audience=Audience.IB)

    response = staff_client.post(reverse("admin:permissions_menu_add"), menu_form(parent=str(ib_parent.pk)))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    assert Menu.objects.count() == 1
    assert MenuButton.objects.count() == 0


def test_a_menu_cannot_sit_under_its_own_child(staff_client):
    top = MenuFactory(code="top")
    child = MenuFactory(code="child", parent=top)

    response = staff_client.post(
        reverse("admin:permissions_menu_change", args=[top.pk]),
        menu_form(code="top", parent=str(child.pk), **{"buttons-0-code": ""}) | {"buttons-TOTAL_FORMS": "0"},
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    top.refresh_from_db()
    assert top.parent is None


@pytest.mark.parametrize("code", ["Accounts", "1st", "open-live", ""])
def test_codes_are_snake_case(staff_client, code):
    response = staff_client.post(reverse("admin:permissions_menu_add"), menu_form(code=code))

    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert Menu.objects.count() == 0


def test_button_codes_are_unique_per_menu(staff_client):
    form = menu_form() | {
        "buttons-TOTAL_FORMS": "2",
        "buttons-1-code": "open_live",
        "buttons-1-name_i18n": "{}",
        "buttons-1-position": "1",
    }

    response = staff_client.post(reverse("admin:permissions_menu_add"), form)

    assert response.status_code == 200
    assert Menu.objects.count() == 0
