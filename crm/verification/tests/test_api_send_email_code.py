from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from rest_framework.throttling import ScopedRateThrottle

from crm.users.tests.factories import UserFactory
from crm.users.tokens import token_issue
from crm.verification.models import EmailCode

URL = "/api/v1/public/verification/send-email-code"
NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
NOW_SECONDS = int(NOW.timestamp())
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def test_sends_a_registration_code_to_the_given_address(api):
    response = api.post(
        URL, {"email": "New@Example.com", "received_at": NOW_SECONDS, "scene": "register"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"can_resend_at": NOW_SECONDS + 60, "expired_at": NOW_SECONDS + 600}
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    assert EmailCode.objects.get().email == "new@example.com"


def test_follows_the_company_intervals(api, security):
    security.email_code_resend_seconds = 90
    security.email_code_lifetime_minutes = 5
    security.save()

    response = api.post(URL, {"email": "a@example.com", "received_at": NOW_SECONDS, "scene": "register"}, format="json")

    assert response.json() == {"can_resend_at": NOW_SECONDS + 90, "expired_at": NOW_SECONDS + 300}


@pytest.mark.parametrize("scene", ["withdrawal", "transfer", "password_change"])
def test_sends_other_scenes_to_the_users_own_address(user_api, user, scene):
    response = user_api.post(URL, {"received_at": NOW_SECONDS, "scene": scene}, format="json")

    assert response.status_code == 200
    assert response.json() == {"can_resend_at": NOW_SECONDS + 60, "expired_at": NOW_SECONDS + 600}
    row = EmailCode.objects.get()
    assert (row.email, row.scene, row.user) == (user.email, scene, user)
    assert mail.outbox[0].to == [user.email]


def test_accepts_the_users_own_address_in_any_case(user_api, user):
    response = user_api.post(
        URL, {"email": user.email.upper(), "received_at": NOW_SECONDS, "scene": "withdrawal"}, format="json"
    )

    assert response.status_code == 200


def test_refuses_another_address_for_a_logged_in_scene(user_api):
    response = user_api.post(
        URL, {"email": "someone-else@example.com", "received_at": NOW_SECONDS, "scene": "withdrawal"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "email_mismatch",
        "message": "Codes for this action are sent to your account's e-mail address.",
        "fields": {"email": ["This is not your account's e-mail address."]},
    }
    assert EmailCode.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("scene", ["withdrawal", "transfer", "password_change"])
def test_anonymous_callers_get_codes_only_for_registration(api, scene):
    response = api.post(URL, {"email": "a@example.com", "received_at": NOW_SECONDS, "scene": scene}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert EmailCode.objects.count() == 0


def test_a_disabled_users_token_is_refused(api):
    user = UserFactory(status="disabled")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")

    response = api.post(URL, {"received_at": NOW_SECONDS, "scene": "withdrawal"}, format="json")

    assert response.status_code == 401
    assert EmailCode.objects.count() == 0


def test_refuses_registration_codes_for_registered_addresses(api):
    UserFactory(email="taken@example.com")

    response = api.post(
        URL, {"email": "Taken@example.com", "received_at": NOW_SECONDS, "scene": "register"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "email_already_registered",
        "message": "This e-mail address is already registered; log in instead.",
        "fields": {"email": ["This e-mail address is already registered."]},
    }
    assert EmailCode.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"received_at": NOW_SECONDS, "scene": "register"}, {"email"}),
        ({"email": "a@example.com", "scene": "register"}, {"received_at"}),
        ({"email": "a@example.com", "received_at": NOW_SECONDS}, {"scene"}),
        ({"email": "not-an-address", "received_at": NOW_SECONDS, "scene": "register"}, {"email"}),
        ({"email": "a@example.com", "received_at": "yesterday", "scene": "register"}, {"received_at"}),
        ({"email": "a@example.com", "received_at": NOW_SECONDS * 1000, "scene": "register"}, {"received_at"}),
        ({"email": "a@example.com", "received_at": NOW_SECONDS - 2 * 86400, "scene": "register"}, {"received_at"}),
        ({"email": "a@example.com", "received_at": NOW_SECONDS, "scene": "login"}, {"scene"}),
    ],
    ids=[
        "register-without-email",
        "no-received-at",
        "no-scene",
        "bad-email",
        "received-at-not-a-number",
        "received-at-in-milliseconds",
        "received-at-two-days-off",
        "unknown-scene",
    ],
)
def test_refuses_bad_input(api, body, fields):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields
    assert EmailCode.objects.count() == 0


def test_refuses_a_resend_inside_the_interval_with_retry_after(api, frozen):
    body = {"email": "a@example.com", "received_at": NOW_SECONDS, "scene": "register"}
    api.post(URL, body, format="json")
    frozen.shift(timedelta(seconds=20))

    response = api.post(URL, body, format="json")

    assert response.status_code == 429
    assert response.json() == {
        "code": "email_code_resend_too_soon",
        "message": "A code was just sent; wait before asking for another.",
        "fields": {},
    }
    assert response.headers["Retry-After"] == "40"
    assert EmailCode.objects.count() == 1


def test_is_throttled_per_caller(api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "email_code", "2/min")
    for number in range(2):
        api.post(
            URL, {"email": f"a{number}@example.com", "received_at": NOW_SECONDS, "scene": "register"}, format="json"
        )

    response = api.post(URL, {"email": "b@example.com", "received_at": NOW_SECONDS, "scene": "register"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response.headers
    assert EmailCode.objects.filter(email="b@example.com").count() == 0
