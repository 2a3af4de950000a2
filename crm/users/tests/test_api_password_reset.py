import re
import smtplib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from rest_framework.throttling import ScopedRateThrottle

from crm.users.hashing import digest
from crm.users.models import ApiToken, PasswordResetToken
from crm.users.tests.factories import DEFAULT_PASSWORD, UserFactory
from crm.users.tokens import token_issue

SEND = "/api/v1/public/auth/send-password-reset-email"
CHECK = "/api/v1/public/auth/check-reset-token-expired"
RESET = "/api/v1/public/auth/reset-password"
NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
NEW_PASSWORD = "Brand-new-Pass-77"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine, settings):
    settings.PORTAL_URL = "https://portal.example.com/"
    time_machine.move_to(NOW, tick=False)
    return time_machine


def reset_token(user, *, created_at=NOW, lifetime=timedelta(minutes=30), used_at=None, raw="reset-token-1"):
    row = PasswordResetToken.objects.create(
        user=user, token_hash=digest(raw), expires_at=created_at + lifetime, used_at=used_at
    )
    PasswordResetToken.objects.filter(pk=row.pk).update(created_at=created_at)
    return raw


# --- send_password_reset_email ----------------------------------------------------------


def test_mails_a_single_use_link(api):
    user = UserFactory(email="a@example.com")

    response = api.post(SEND, {"email": "A@Example.com"}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    [message] = mail.outbox
    assert message.to == ["a@example.com"]
    assert message.subject == "Reset your password"
    [link] = re.findall(r"https://\S+", message.body)
    assert link.startswith("https://portal.example.com/reset-password?token=")
    raw = parse_qs(urlsplit(link).query)["token"][0]
    assert link in message.alternatives[0][0]
    assert "expires in 30 minutes" in message.body
    row = PasswordResetToken.objects.get()
    assert (row.user, row.token_hash, row.expires_at, row.used_at) == (
        user,
        digest(raw),
        NOW + timedelta(minutes=30),
        None,
    )


@pytest.mark.parametrize("email", ["nobody@example.com", "disabled@example.com"])
def test_answers_the_same_when_there_is_nothing_to_send(api, email):
    UserFactory(email="disabled@example.com", status="disabled")

    response = api.post(SEND, {"email": email}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    assert mail.outbox == []
    assert PasswordResetToken.objects.count() == 0


def test_sends_at_most_one_mail_a_minute_per_address(api, frozen):
    UserFactory(email="a@example.com")
    api.post(SEND, {"email": "a@example.com"}, format="json")
    frozen.shift(timedelta(seconds=30))

    response = api.post(SEND, {"email": "a@example.com"}, format="json")

    assert response.json() == {}
    assert len(mail.outbox) == 1
    assert PasswordResetToken.objects.count() == 1
    frozen.shift(timedelta(seconds=31))
    api.post(SEND, {"email": "a@example.com"}, format="json")
    assert len(mail.outbox) == 2


def test_a_mail_failure_looks_the_same_and_leaves_no_token(api, monkeypatch):
    UserFactory(email="a@example.com")

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)

    response = api.post(SEND, {"email": "a@example.com"}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    assert PasswordResetToken.objects.count() == 0


@pytest.mark.parametrize("body", [{}, {"email": "not-an-address"}, {"email": ""}])
def test_send_refuses_bad_input(api, body):
    response = api.post(SEND, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == {"email"}


def test_send_is_throttled(api, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "password_reset", "2/min")
    UserFactory(email="a@example.com")
    api.post(SEND, {"email": "x@example.com"}, format="json")
    api.post(SEND, {"email": "y@example.com"}, format="json")

    response = api.post(SEND, {"email": "a@example.com"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert PasswordResetToken.objects.count() == 0


# --- check_reset_token_expired ----------------------------------------------------------


def test_a_fresh_token_has_not_expired(api, user):
    raw = reset_token(user)

    response = api.get(CHECK, {"token": raw})

    assert response.status_code == 200
    assert response.json() == {"expired": False}


@pytest.mark.parametrize(
    "state",
    [
        {"created_at": NOW - timedelta(minutes=31)},
        {"used_at": NOW - timedelta(minutes=1)},
    ],
    ids=["expired", "used"],
)
def test_dead_tokens_have_expired(api, user, state):
    raw = reset_token(user, **state)

    assert api.get(CHECK, {"token": raw}).json() == {"expired": True}


def test_unknown_tokens_have_expired(api):
    assert api.get(CHECK, {"token": "never-issued"}).json() == {"expired": True}


def test_check_needs_a_token(api):
    response = api.get(CHECK)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"token"}


# --- reset_password -----------------------------------------------------------------


def test_resets_the_password_once_and_ends_every_session(api, user):
    session = token_issue(user=user)
    raw = reset_token(user)
    other = reset_token(user, raw="reset-token-2")

    response = api.post(RESET, {"token": raw, "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_strength == "strong"
    assert ApiToken.objects.get(key_hash=digest(session)).revoked_at == NOW
    assert PasswordResetToken.objects.get(token_hash=digest(raw)).used_at == NOW
    assert PasswordResetToken.objects.get(token_hash=digest(other)).used_at == NOW
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {session}")
    assert api.get("/api/v1/public/auth/get-user-security-settings").status_code == 401
    api.credentials()
    assert (
        api.post(
            "/api/v1/public/auth/login", {"email": user.email, "password": NEW_PASSWORD}, format="json"
        ).status_code
        == 200
    )

    again = api.post(RESET, {"token": raw, "password": "Another-Pass-88"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "reset_token_invalid"


@pytest.mark.parametrize(
    "state",
    [
        {"created_at": NOW - timedelta(minutes=31)},
        {"used_at": NOW - timedelta(minutes=1)},
        {"raw": "some-other-token"},
    ],
    ids=["expired", "used", "unknown"],
)
def test_refuses_dead_tokens_and_changes_nothing(api, user, state):
    session = token_issue(user=user)
    reset_token(user, **state)
    password = user.password

    response = api.post(RESET, {"token": "reset-token-1", "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "reset_token_invalid",
        "message": "This reset link is invalid, used or expired; ask for a new one.",
        "fields": {"token": ["Invalid, used or expired."]},
    }
    user.refresh_from_db()
    assert user.password == password
    assert ApiToken.objects.get(key_hash=digest(session)).revoked_at is None


def test_refuses_a_weak_password_and_keeps_the_token(api, user):
    raw = reset_token(user)
    password = user.password

    response = api.post(RESET, {"token": raw, "password": "weak"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "password_too_weak"
    assert set(response.json()["fields"]) == {"password"}
    user.refresh_from_db()
    assert user.password == password
    assert PasswordResetToken.objects.get().used_at is None


@pytest.mark.parametrize("missing", ["token", "password"])
def test_reset_refuses_missing_fields(api, user, missing):
    body = {"token": reset_token(user), "password": NEW_PASSWORD}
    del body[missing]

    response = api.post(RESET, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {missing}
    assert PasswordResetToken.objects.get().used_at is None


def test_logged_in_callers_may_reset_too(user_api, user):
    raw = reset_token(user)

    assert user_api.post(RESET, {"token": raw, "password": NEW_PASSWORD}, format="json").status_code == 200


def test_the_old_password_no_longer_works(api, user):
    raw = reset_token(user)
    api.post(RESET, {"token": raw, "password": NEW_PASSWORD}, format="json")

    response = api.post("/api/v1/public/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")

    assert response.json()["code"] == "invalid_credentials"
