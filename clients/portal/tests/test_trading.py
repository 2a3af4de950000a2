import pytest
from django.test import Client
from django.urls import reverse

from clients.models import ClientProfile, KycStatus, KycWay
from clients.trading.models import AccountApplication, LeverageChange, TradingAccount
from crm.platforms.models import PlatformOperation

from .data import account_type

pytestmark = pytest.mark.django_db

PASSWORD = "Trade-Pass-12"


@pytest.fixture
def live_type(db):
    return account_type()


@pytest.fixture
def demo_type(db):
    return account_type(is_demo=True)


@pytest.fixture
def approved(client_user):
    from django.utils import timezone

    ClientProfile.objects.create(
        user=client_user, kyc_status=KycStatus.APPROVED, kyc_way=KycWay.MANUAL, kyc_approved_at=timezone.now()
    )


def application(account_type, **overrides):
    return {
        "is_demo": "true" if account_type.is_demo else "false",
        "trading_platform": "MT5",
        "trading_account_type_id": account_type.pk,
        "leverage": 100,
        "currency": "USD",
        "password": PASSWORD,
        **overrides,
    }


@pytest.fixture
def opened(portal, demo_type, celery_eager, django_capture_on_commit_callbacks):
    """A demo account opened on the simulator through the portal."""
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(reverse("portal:account_open"), application(demo_type))
    assert response.status_code == 302
    return TradingAccount.objects.get()


def test_the_form_offers_the_clients_account_types(portal, live_type, demo_type):
    response = portal.get(reverse("portal:account_open"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Standard · MT5 · Live" in html and "Standard · MT5 · Demo" in html
    assert '<option value="200">1:200</option>' in html


def test_a_demo_account_opens_and_is_listed_with_its_balance(portal, opened):
    response = portal.get(reverse("portal:trading_accounts"))

    assert response.status_code == 200
    [row] = response.context["demo_rows"]
    assert row["account"] == opened
    assert row["balance"] == "0.00"
    assert f'data-login="{opened.login}"' in response.content.decode()


def test_a_live_account_needs_an_approved_kyc(portal, live_type):
    response = portal.post(reverse("portal:account_open"), application(live_type))

    assert response.status_code == 403
    assert response.context["form"].non_field_errors() == [
        "Complete your KYC (account verification) before opening a live account."
    ]
    assert not AccountApplication.objects.exists()


def test_a_live_account_opens_once_kyc_is_approved(
    portal, approved, live_type, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(reverse("portal:account_open"), application(live_type, leverage=200))

    assert response.status_code == 302
    account = TradingAccount.objects.get()
    assert (account.is_demo, account.leverage) == (False, 200)
    assert portal.get(reverse("portal:dashboard")).context["accounts"]["live_balances"] == [("USD", "0.00")]


def test_the_platforms_password_rules_are_shown_on_the_field(portal, approved, live_type):
    response = portal.post(reverse("portal:account_open"), application(live_type, password="short"))

    assert response.status_code == 400
    assert response.context["form"].errors["password"] == [
        "Use 8 to 16 characters.",
        "Mix lower-case letters, upper-case letters and digits.",
    ]
    assert not AccountApplication.objects.exists()


def test_leverage_change_is_requested(portal, client_user, opened):
    response = portal.post(reverse("portal:account_leverage", args=[opened.pk]), {"leverage": 200})

    assert response.status_code == 302
    change = LeverageChange.objects.get()
    assert (change.account, change.from_leverage, change.to_leverage) == (opened, 100, 200)
    assert change.status == LeverageChange.Status.PENDING


def test_leverage_change_to_the_current_leverage_is_refused_on_the_field(portal, opened):
    response = portal.post(reverse("portal:account_leverage", args=[opened.pk]), {"leverage": 100})

    assert response.status_code == 400
    assert response.context["form"].errors["leverage"] == ["The account already has this leverage."]
    assert not LeverageChange.objects.exists()


def test_password_change_goes_to_the_platform(portal, opened):
    before = PlatformOperation.objects.count()
    response = portal.post(
        reverse("portal:account_password", args=[opened.pk]),
        {"type": "observe", "password": "Watch-Only-9", "password_again": "Watch-Only-9"},
    )

    assert response.status_code == 302
    operation = PlatformOperation.objects.order_by("-id").first()
    assert PlatformOperation.objects.count() == before + 1
    assert operation.kind == PlatformOperation.Kind.SET_PASSWORD


def test_password_change_errors_are_on_the_fields(portal, opened):
    before = PlatformOperation.objects.count()
    url = reverse("portal:account_password", args=[opened.pk])

    differ = portal.post(url, {"type": "trade", "password": "Watch-Only-9", "password_again": "Watch-Only-8"})
    weak = portal.post(url, {"type": "trade", "password": "weakweak", "password_again": "weakweak"})

    assert differ.context["form"].errors["password_again"] == ["The two passwords differ."]
    assert weak.context["form"].errors["password"] == ["Mix lower-case letters, upper-case letters and digits."]
    assert PlatformOperation.objects.count() == before


def test_one_client_cannot_touch_anothers_account(opened, other_client_user):
    other = Client()
    other.force_login(other_client_user)

    assert str(opened.login) not in other.get(reverse("portal:trading_accounts")).content.decode()
    assert other.get(reverse("portal:account_leverage", args=[opened.pk])).status_code == 404
    assert other.post(reverse("portal:account_leverage", args=[opened.pk]), {"leverage": 200}).status_code == 404
    assert other.get(reverse("portal:account_password", args=[opened.pk])).status_code == 404
    assert not LeverageChange.objects.exists()


@pytest.mark.parametrize("name", ["portal:trading_accounts", "portal:account_open"])
def test_anonymous_users_go_to_login(anonymous, name):
    response = anonymous.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
