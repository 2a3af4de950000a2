import json
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.throttling import ScopedRateThrottle

from crm.configuration.tests.factories import CountryFactory
from crm.users.hashing import digest
from crm.users.models import ApiToken
from crm.users.tests.factories import DEFAULT_PASSWORD, UserFactory

URL = "/api/v1/public/auth/login"
NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db

INVALID_CREDENTIALS = {
    "code": "invalid_credentials",
    "message": "The e-mail or password is incorrect.",
    "fields": {},
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def login(api, email, password=DEFAULT_PASSWORD, **extra):
    return api.post(URL, {"email": email, "password": password}, format="json", **extra)


def test_returns_a_working_token_and_the_user(api):
    country = CountryFactory(code="HK")
    user = UserFactory(
        email="trader@example.com",
        name="Chan Tai Man",
        phone="+852 5555 0101",
        country=country,
        language="en-US",
        time_zone="Asia/Hong_Kong",
        role="ib",
        date_joined=NOW - timedelta(days=30),
    )

    response = login(api, "Trader@Example.com", HTTP_USER_AGENT="TraderApp/1.0", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "token": body["token"],
        "user_info": {
            "id": user.pk,
            "email": "trader@example.com",
            "name": "Chan Tai Man",
            "phone": "+852 5555 0101",
            "country_code": "HK",
            "language": "en-US",
            "time_zone": "Asia/Hong_Kong",
            "role": "ib",
            "status": "enabled",
            "date_joined": "2026-01-31 16:00:00",
            "last_login": "2026-03-02 16:00:00",
            "password_strength": "strong",
        },
    }
    token = ApiToken.objects.get(key_hash=digest(body["token"]))
    assert (token.user, token.ip_address, token.user_agent) == (user, "203.0.113.7", "TraderApp/1.0")
    assert token.expires_at == NOW + timedelta(hours=24)
    user.refresh_from_db()
    assert user.last_login == NOW
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get("/api/v1/public/auth/get-user-security-settings").status_code == 200


def test_user_info_falls_back_to_the_company_time_zone(api):
    UserFactory(email="a@example.com", time_zone="")

    response = login(api, "a@example.com")

    assert response.json()["user_info"]["time_zone"] == "Asia/Shanghai"
    assert response.json()["user_info"]["country_code"] is None


@pytest.mark.parametrize(
    ("email", "password"),
    [("a@example.com", "Wrong-password-1"), ("nobody@example.com", DEFAULT_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_refuses_wrong_credentials_alike(api, email, password):
    user = UserFactory(email="a@example.com")

    response = login(api, email, password)

    assert response.status_code == 400
    assert response.json() == INVALID_CREDENTIALS
    assert ApiToken.objects.count() == 0
    user.refresh_from_db()
    assert user.last_login is None


def test_refuses_disabled_users_with_the_right_password(api):
    UserFactory(email="a@example.com", status="disabled")

    response = login(api, "a@example.com")

    assert response.status_code == 403
    assert response.json() == {
        "code": "user_disabled",
        "message": "This account is disabled; contact support.",
        "fields": {},
    }
    assert ApiToken.objects.count() == 0


def test_disabled_users_with_a_wrong_password_learn_nothing(api):
    UserFactory(email="a@example.com", status="disabled")

    response = login(api, "a@example.com", "Wrong-password-1")

    assert response.json() == INVALID_CREDENTIALS


def test_locks_an_email_after_too_many_failures(api, security, frozen, memory_cache):
    security.login_max_failures = 3
    security.save()
    UserFactory(email="a@example.com")
    for attempt in range(3):
        assert login(api, "a@example.com", "wrong", REMOTE_ADDR=f"10.0.0.{attempt}").status_code == 400
    frozen.shift(timedelta(minutes=5))

    response = login(api, "A@example.com", REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert response.json() == {
        "code": "too_many_login_attempts",
        "message": "Too many failed logins; try again later.",
        "fields": {},
    }
    assert response.headers["Retry-After"] == "600"
    assert ApiToken.objects.count() == 0

    frozen.shift(timedelta(minutes=10))
    final = login(api, "a@example.com", REMOTE_ADDR="10.0.0.9")
    assert final.status_code == 200, final.json()


def test_locks_an_ip_after_too_many_failures(api, security):
    security.login_max_failures = 3
    security.save()
    UserFactory(email="victim@example.com")
    for number in range(3):
        login(api, f"guess{number}@example.com", "wrong", REMOTE_ADDR="198.51.100.1")

    blocked = login(api, "victim@example.com", REMOTE_ADDR="198.51.100.1")
    elsewhere = login(api, "victim@example.com", REMOTE_ADDR="198.51.100.2")

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_login_attempts"
    assert elsewhere.status_code == 200


def test_success_resets_the_email_count(api, security):
    security.login_max_failures = 3
    security.save()
    UserFactory(email="a@example.com")
    for _round in range(2):
        for number in range(2):
            login(api, "a@example.com", "wrong", REMOTE_ADDR=f"10.0.{_round}.{number}")
        assert login(api, "a@example.com", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_zero_means_no_failure_limit(api, security):
    security.login_max_failures = 0
    security.save()
    UserFactory(email="a@example.com")
    for _attempt in range(6):
        login(api, "a@example.com", "wrong")

    assert login(api, "a@example.com").status_code == 200


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 400, "captcha_required"),
        ({"HTTP_CAPTCHA_TOKEN": "forged"}, 400, "captcha_invalid"),
        ({"HTTP_CAPTCHA_TOKEN": "valid", "HTTP_CAPTCHA_RANDSTR": "@r"}, 200, None),
    ],
)
def test_asks_for_a_captcha_when_the_company_turned_it_on(api, security, headers, status, code):
    security.re_captcha_enabled = True
    security.save()
    UserFactory(email="a@example.com")

    response = login(api, "a@example.com", **headers)

    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
        assert ApiToken.objects.count() == 0


def test_checks_the_tencent_captcha_with_tencent(api, security, tencent):
    security.tencent_two_factor_enabled = True
    security.save()
    UserFactory(email="a@example.com")

    response = login(
        api, "a@example.com", HTTP_CAPTCHA_TOKEN="t-1", HTTP_CAPTCHA_RANDSTR="@r", REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 200
    sent = json.loads(tencent.requests[0].body)
    assert (sent["Ticket"], sent["Randstr"], sent["UserIp"], sent["CaptchaAppId"]) == (
        "t-1",
        "@r",
        "203.0.113.7",
        190001,
    )


def test_no_captcha_needed_when_off(api):
    UserFactory(email="a@example.com")

    assert login(api, "a@example.com").status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"password": DEFAULT_PASSWORD}, {"email"}),
        ({"email": "a@example.com"}, {"password"}),
        ({"email": "not-an-address", "password": DEFAULT_PASSWORD}, {"email"}),
        ({"email": "a@example.com", "password": ""}, {"password"}),
    ],
)
def test_refuses_bad_input(api, body, fields):
    UserFactory(email="a@example.com")

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields
    assert ApiToken.objects.count() == 0


def test_ignores_a_stale_authorization_header(api):
    UserFactory(email="a@example.com")

    response = login(api, "a@example.com", HTTP_AUTHORIZATION="Bearer expired-or-garbage")

    assert response.status_code == 200


def test_is_throttled(api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "login", "2/min")
    UserFactory(email="a@example.com")
    login(api, "a@example.com", "wrong")
    login(api, "a@example.com", "wrong")

    response = login(api, "a@example.com")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert ApiToken.objects.count() == 0


def test_passwords_are_stored_with_argon2(api, project_password_hashers):
    user = UserFactory(email="argon@example.com")

    assert user.password.startswith("argon2$")
    assert login(api, "argon@example.com").status_code == 200
