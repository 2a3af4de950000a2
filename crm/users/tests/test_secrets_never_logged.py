"""Passwords, e-mail codes, reset tokens, bearer tokens and captcha secrets never reach a log or an audit row.

Each test runs a whole flow with every logger at DEBUG (SQL and its parameters included) and then
looks for each secret it handled, in the log output and in every audit row.
"""

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from crm.audit.tests.leaks import audit_text, everything_logged, secrets_found
from crm.configuration.models import AppKeys
from crm.users.tests.factories import DEFAULT_PASSWORD, UserFactory
from crm.verification.captcha import CaptchaUnavailable, captcha_check
from crm.verification.tests.stub_server import SECRET_KEY

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Brand-new-Pass-77"
RESET_PASSWORD = "Reset-to-this-88"
WRONG_PASSWORD = "Wrong-guess-13"


def login(api, email: str, password: str):
    return api.post("/api/v1/public/auth/login", {"email": email, "password": password}, format="json")


def mailed_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].subject)[1]


def test_login_password_change_and_reset_log_and_audit_no_secret(api, security):
    security.email_verification_scenarios = ["password_change"]
    security.save()
    user = UserFactory(email="trader@example.com")
    handled = [DEFAULT_PASSWORD, NEW_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD]

    with everything_logged() as logged:
        refused = login(api, user.email, WRONG_PASSWORD)
        signed_in = login(api, user.email, DEFAULT_PASSWORD)
        token = signed_in.json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        api.post(
            "/api/v1/public/verification/send-email-code",
            {"scene": "password_change", "received_at": int(time.time())},
            format="json",
        )
        code = mailed_code()
        wrong_code = api.post(
            "/api/v1/public/auth/change-password",
            {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "email_code": "000000"},
            format="json",
        )
        changed = api.post(
            "/api/v1/public/auth/change-password",
            {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "email_code": code},
            format="json",
        )
        api.credentials()
        api.post("/api/v1/public/auth/send-password-reset-email", {"email": user.email}, format="json")
        [link] = re.findall(r"https?://\S+", mail.outbox[-1].body)
        reset_token = parse_qs(urlsplit(link).query)["token"][0]
        reset = api.post(
            "/api/v1/public/auth/reset-password", {"token": reset_token, "password": RESET_PASSWORD}, format="json"
        )
        relogin = login(api, user.email, RESET_PASSWORD)

    assert [response.status_code for response in (refused, signed_in, wrong_code, changed, reset, relogin)] == [
        400,
        200,
        400,
        200,
        200,
        200,
    ]
    handled += [token, code, reset_token, relogin.json()["token"]]
    assert logged.lines  # the flow did log (SQL at least): the check below is not vacuous
    assert secrets_found(handled, logged.text(), audit_text()) == []


def test_registration_with_an_email_code_logs_and_audits_no_secret(api, security):
    security.email_verification_scenarios = ["register"]
    security.save()

    with everything_logged() as logged:
        api.post(
            "/api/v1/public/verification/send-email-code",
            {"email": "new@example.com", "scene": "register", "received_at": int(time.time())},
            format="json",
        )
        code = mailed_code()
        registered = api.post(
            "/api/v1/client/user/register",
            {"email": "new@example.com", "password": NEW_PASSWORD, "email_code": code},
            format="json",
        )

    assert registered.status_code == 200
    handled = [code, NEW_PASSWORD, registered.json()["token"]]
    assert secrets_found(handled, logged.text(), audit_text()) == []


def test_captcha_checks_log_no_secret(api, tencent, settings):
    keys = AppKeys.load()
    keys.recaptcha_secret_key = "google-secret-value"
    keys.save()
    answers = iter(
        [
            (200, {"Response": {"CaptchaCode": 1, "RequestId": "r-1"}}),
            (200, {"Response": {"Error": {"Code": "AuthFailure", "Message": "bad"}, "RequestId": "r-2"}}),
            (200, {"success": True, "score": 0.9, "action": "login"}),
            (502, b"bad gateway"),
        ]
    )
    tencent.reply = lambda recorded: next(answers)
    body = {"app_id": 190001, "rand_str": "@xyz", "ticket": "ticket-abc-123", "user_ip": "203.0.113.9"}

    with everything_logged() as logged:
        accepted = api.post("/api/v1/public/captcha/verify-tencent-captcha", body, format="json")
        refused = api.post("/api/v1/public/captcha/verify-tencent-captcha", body, format="json")
        settings.RECAPTCHA_ENDPOINT = tencent.url
        captcha_check(ticket="recaptcha-token-1", user_ip="203.0.113.9", action="login", provider="recaptcha")
        with pytest.raises(CaptchaUnavailable):
            captcha_check(ticket="recaptcha-token-2", user_ip="203.0.113.9", action="login", provider="recaptcha")

    assert accepted.json() == {"is_valid": True}
    assert refused.status_code == 503
    assert "Tencent captcha refused the request" in logged.text()  # the failures were logged
    sent = json.loads(tencent.requests[0].body)
    assert sent["AppSecretKey"] == "web-app-secret"
    handled = [SECRET_KEY, "web-app-secret", "ios-app-secret", "google-secret-value"]
    assert secrets_found(handled, logged.text(), audit_text()) == []
