"""Attribution: the invite code at sign-up (API, portal, Google) and staff reassignment."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clients.portal.tests.test_google_signup import GOOGLE_USER, google_round_trip
from clients.trading.tests.factories import ClosedDealFactory, TradingAccountFactory, client_user
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.users.models import User
from crm.users.tests.factories import StaffFactory
from ib.models import ClientAttribution, CommissionLine
from ib.selectors import current_ib_of
from ib.services import attribution_from_invite_code, attribution_reassign, ib_promote
from ib.tests.factories import RebatePlanVersionFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-42"


@pytest.fixture
def ib():
    return ib_promote(user_id=client_user().pk, parent_id=None, plan_id=None, promoted_by=None)


@pytest.fixture
def browser(settings):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def attribution_of(email: str) -> ClientAttribution | None:
    return ClientAttribution.objects.filter(client__email=email).first()


def test_registering_through_the_api_with_a_referral_code_attributes_the_client(api, ib):
    response = api.post(
        "/api/v1/client/user/register",
        {"email": "new@example.com", "password": PASSWORD, "invite_code": f" {ib.referral_code.lower()} "},
        format="json",
    )

    assert response.status_code == 200
    user = User.objects.get(email="new@example.com")
    attribution = attribution_of("new@example.com")
    assert (attribution.ib, attribution.effective_from, attribution.effective_to) == (ib, user.date_joined, None)
    assert attribution.source == "invite_code"
    assert current_ib_of(client=user) == ib
    entry = AuditEntry.objects.get(action="ib.client_attributed")
    assert (entry.actor, entry.data) == (user, {"ib_id": ib.pk, "referral_code": ib.referral_code})


def test_an_unknown_code_registers_the_client_without_an_ib(api, ib):
    response = api.post(
        "/api/v1/client/user/register",
        {"email": "new@example.com", "password": PASSWORD, "invite_code": "NOSUCH99"},
        format="json",
    )

    assert response.status_code == 200
    assert User.objects.filter(email="new@example.com").exists()
    assert not ClientAttribution.objects.exists()


def test_a_fault_in_attribution_does_not_cost_the_sign_up(api, ib):
    with mock.patch("ib.services.attribution.ClientAttribution.objects.create", side_effect=RuntimeError("boom")):
        response = api.post(
            "/api/v1/client/user/register",
            {"email": "new@example.com", "password": PASSWORD, "invite_code": ib.referral_code},
            format="json",
        )

    assert response.status_code == 200
    assert User.objects.filter(email="new@example.com").exists()
    assert not ClientAttribution.objects.exists()


def test_signing_up_in_the_portal_through_the_referral_link_attributes_the_client(browser, ib):
    browser.get(reverse("account_signup") + f"?invite={ib.referral_code}")

    response = browser.post(
        reverse("account_signup"), {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert attribution_of("new@example.com").ib == ib


def test_signing_up_with_google_through_the_referral_link_attributes_the_client(browser, ib, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APP": {"client_id": "portal-id", "secret": "portal-secret", "key": ""}, "SCOPE": ["email"]}
    }
    browser.get(reverse("account_signup") + f"?invite={ib.referral_code}")

    response = google_round_trip(browser)

    assert response.status_code == 302
    attribution = attribution_of(GOOGLE_USER["email"])
    assert attribution.ib == ib
    assert attribution.effective_from == User.objects.get(email=GOOGLE_USER["email"]).date_joined


def test_an_ib_is_never_attributed_to_itself(ib):
    profile = ib.user.client_profile
    profile.invite_code = ib.referral_code
    profile.save()

    assert attribution_from_invite_code(client=ib.user) is None
    assert not ClientAttribution.objects.exists()


def test_a_client_who_already_has_an_ib_keeps_it(ib):
    other = ib_promote(user_id=client_user().pk, parent_id=None, plan_id=None, promoted_by=None)
    client = client_user()
    ClientAttribution.objects.create(client=client, ib=other, effective_from=client.date_joined, source="staff")
    client.client_profile.invite_code = ib.referral_code
    client.client_profile.save()

    assert attribution_from_invite_code(client=client) is None
    assert current_ib_of(client=client) == other


# --- Reassignment -----------------------------------------------------------------------------


@pytest.fixture
def attributed(ib):
    client = client_user()
    start = timezone.now() - timedelta(days=30)
    ClientAttribution.objects.create(client=client, ib=ib, effective_from=start, source="invite_code")
    return client


def commission_line_on_deal_closed(*, client, ib, close_time) -> CommissionLine:
    deal = ClosedDealFactory(trading_account=TradingAccountFactory(user=client), close_time=close_time)
    return CommissionLine.objects.create(
        deal=deal,
        deal_revision=deal.revision,
        ib=ib,
        client=client,
        level=0,
        plan_version=RebatePlanVersionFactory(),
        lots=Decimal("1.00"),
        amount=Decimal("5.00"),
        currency="USD",
        calculated_at=timezone.now(),
    )


def test_staff_reassign_a_client_closing_the_open_period_and_opening_the_next(ib, attributed):
    staff = StaffFactory()
    new_ib = ib_promote(user_id=client_user().pk, parent_id=None, plan_id=None, promoted_by=None)
    commission_line_on_deal_closed(client=attributed, ib=ib, close_time=timezone.now() - timedelta(days=10))
    effective_from = timezone.now() - timedelta(days=5)

    attribution = attribution_reassign(
        client_id=attributed.pk, ib_id=new_ib.pk, effective_from=effective_from, reassigned_by=staff, reason="Moved"
    )

    old = ClientAttribution.objects.get(client=attributed, ib=ib)
    assert old.effective_to == effective_from
    assert (attribution.ib, attribution.effective_from, attribution.effective_to) == (new_ib, effective_from, None)
    assert (attribution.source, attribution.created_by, attribution.reason) == ("staff", staff, "Moved")
    assert current_ib_of(client=attributed) == new_ib
    entry = AuditEntry.objects.get(action="ib.client_reassigned")
    assert (entry.actor, entry.reason) == (staff, "Moved")
    assert entry.data == {
        "client_id": attributed.pk,
        "from_ib_id": ib.pk,
        "to_ib_id": new_ib.pk,
        "effective_from": effective_from.isoformat(),
    }


def test_a_client_without_an_ib_can_be_given_one(ib):
    client = client_user()
    start = timezone.now() - timedelta(hours=1)

    attribution_reassign(
        client_id=client.pk, ib_id=ib.pk, effective_from=start, reassigned_by=StaffFactory(), reason="Walk-in"
    )

    assert current_ib_of(client=client) == ib


def test_reassignment_before_a_deal_with_commission_lines_is_refused_and_changes_nothing(ib, attributed):
    staff = StaffFactory()
    new_ib = ib_promote(user_id=client_user().pk, parent_id=None, plan_id=None, promoted_by=None)
    last_paid = timezone.now() - timedelta(days=3)
    commission_line_on_deal_closed(client=attributed, ib=ib, close_time=timezone.now() - timedelta(days=10))
    commission_line_on_deal_closed(client=attributed, ib=ib, close_time=last_paid)
    before = list(ClientAttribution.objects.values())

    for effective_from in (last_paid - timedelta(days=1), last_paid):
        with pytest.raises(ApplicationError) as refusal:
            attribution_reassign(
                client_id=attributed.pk, ib_id=new_ib.pk, effective_from=effective_from, reassigned_by=staff, reason="x"
            )
        assert refusal.value.code == "attribution_effective_from_too_early"
        assert refusal.value.status == 409
        assert refusal.value.extra["earliest"] == timezone.localtime(last_paid).strftime("%Y-%m-%d %H:%M:%S")

    assert list(ClientAttribution.objects.values()) == before
    assert not AuditEntry.objects.filter(action="ib.client_reassigned").exists()
    attribution_reassign(
        client_id=attributed.pk,
        ib_id=new_ib.pk,
        effective_from=last_paid + timedelta(seconds=1),
        reassigned_by=staff,
        reason="x",
    )
    assert current_ib_of(client=attributed) == new_ib


def test_other_refusals_of_a_reassignment_change_nothing(ib, attributed):
    staff = StaffFactory()
    new_ib = ib_promote(user_id=client_user().pk, parent_id=None, plan_id=None, promoted_by=None)
    now = timezone.now()
    before = list(ClientAttribution.objects.values())
    cases = [
        ({"ib_id": new_ib.pk, "effective_from": now - timedelta(days=1), "reason": " "}, "reason_required"),
        (
            {"ib_id": new_ib.pk, "effective_from": now + timedelta(days=1), "reason": "x"},
            "attribution_effective_from_in_future",
        ),
        ({"ib_id": ib.pk, "effective_from": now - timedelta(days=1), "reason": "x"}, "attribution_unchanged"),
        (
            {"ib_id": new_ib.pk, "effective_from": now - timedelta(days=31), "reason": "x"},
            "attribution_effective_from_too_early",
        ),
        ({"ib_id": 10**9, "effective_from": now - timedelta(days=1), "reason": "x"}, "ib_not_found"),
    ]
    for arguments, code in cases:
        with pytest.raises(ApplicationError) as refusal:
            attribution_reassign(client_id=attributed.pk, reassigned_by=staff, **arguments)
        assert refusal.value.code == code

    with pytest.raises(ApplicationError) as refusal:
        attribution_reassign(
            client_id=new_ib.user_id, ib_id=new_ib.pk, effective_from=now, reassigned_by=staff, reason="x"
        )
    assert refusal.value.code == "ib_self_attribution"
    assert list(ClientAttribution.objects.values()) == before
    assert not AuditEntry.objects.filter(action="ib.client_reassigned").exists()
