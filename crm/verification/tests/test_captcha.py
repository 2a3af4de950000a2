"""The captcha clients against local stand-ins for Tencent Cloud and Google, and the fake."""

import json
from datetime import UTC, datetime

import pytest

from crm.errors import ApplicationError
from crm.verification.captcha import (
    CaptchaUnavailable,
    FakeCaptchaVerifier,
    RecaptchaVerifier,
    TencentCaptchaVerifier,
    captcha_check,
    captcha_verifier,
    tc3_authorization,
)
from crm.verification.tests.stub_server import AUTHORIZATION, SECRET_ID, SECRET_KEY, expected_signature, tencent_answer


def test_tc3_signature_matches_tencents_published_example():
    """The worked example of Tencent Cloud's "Signature v3" page (CVM DescribeInstances)."""
    payload = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'

    authorization = tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        headers={"Content-Type": "application/json; charset=utf-8", "Host": "cvm.tencentcloudapi.com"},
        payload=payload,
        timestamp=1551113065,
    )

    assert authorization == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_tencent_sends_a_signed_describe_captcha_result(tencent, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC), tick=False)

    assert TencentCaptchaVerifier().verify(ticket="t-1", rand_str="@abc", user_ip="203.0.113.9", app_id=190001)

    [request] = tencent.requests
    assert json.loads(request.body) == {
        "CaptchaType": 9,
        "Ticket": "t-1",
        "UserIp": "203.0.113.9",
        "Randstr": "@abc",
        "CaptchaAppId": 190001,
        "AppSecretKey": "web-app-secret",
    }
    assert request.headers["X-TC-Action"] == "DescribeCaptchaResult"
    assert request.headers["X-TC-Version"] == "2019-07-22"
    assert request.headers["X-TC-Timestamp"] == str(int(datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC).timestamp()))
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    match = AUTHORIZATION.match(request.headers["Authorization"])
    assert (match["id"], match["date"], match["service"], match["signed"]) == (
        SECRET_ID,
        "2026-03-02",
        "captcha",
        "content-type;host",
    )
    assert match["signature"] == expected_signature(request, secret_key=SECRET_KEY)


def test_tencent_says_no_for_other_captcha_codes(tencent):
    tencent.reply = tencent_answer(captcha_code=7)

    assert TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190001) is False


def test_tencent_without_an_app_id_tries_each_configured_app(tencent):
    def only_ios(recorded):
        app_id = json.loads(recorded.body)["CaptchaAppId"]
        return tencent_answer(1 if app_id == 190002 else 16)(recorded)

    tencent.reply = only_ios

    assert TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4") is True
    assert [json.loads(request.body)["CaptchaAppId"] for request in tencent.requests] == [190001, 190002]


def test_tencent_stops_at_a_refusal_that_is_not_about_the_app(tencent):
    tencent.reply = tencent_answer(captcha_code=9)

    assert TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4") is False
    assert len(tencent.requests) == 1


def test_a_wrong_signature_is_the_servers_problem_not_the_users(tencent, settings):
    settings.TENCENT_CAPTCHA_SECRET_KEY = "not-the-key-tencent-knows"

    with pytest.raises(CaptchaUnavailable) as failure:
        TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190001)

    assert (failure.value.status, failure.value.code) == (503, "captcha_unavailable")
    assert "AuthFailure.SignatureFailure" in failure.value.reason


@pytest.mark.parametrize(
    "answer",
    [(500, b"oops"), (200, b"not json"), (200, {"Response": {"RequestId": "r"}})],
    ids=["http-error", "not-json", "no-captcha-code"],
)
def test_tencent_failures_are_unavailable(tencent, answer):
    tencent.reply = lambda recorded: answer

    with pytest.raises(CaptchaUnavailable):
        TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190001)


def test_tencent_timeout_is_unavailable(tencent):
    tencent.delay = 1.0

    with pytest.raises(CaptchaUnavailable) as failure:
        TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190001)

    assert "request failed" in failure.value.reason


def test_tencent_without_configuration_is_unavailable(tencent, settings):
    with pytest.raises(CaptchaUnavailable):
        TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190009)
    settings.TENCENT_CAPTCHA_SECRET_ID = ""
    with pytest.raises(CaptchaUnavailable):
        TencentCaptchaVerifier().verify(ticket="t", rand_str="r", user_ip="1.2.3.4", app_id=190001)
    assert tencent.requests == []


@pytest.mark.parametrize(
    ("answer", "action", "accepted"),
    [
        ({"success": True}, None, True),
        ({"success": False, "error-codes": ["invalid-input-response"]}, None, False),
        ({"success": True, "score": 0.9, "action": "login"}, "login", True),
        ({"success": True, "score": 0.9, "action": "signup"}, "login", False),
        ({"success": True, "score": 0.1, "action": "login"}, "login", False),
    ],
)
def test_recaptcha_siteverify(google, answer, action, accepted):
    google.reply = lambda recorded: (200, answer)

    assert RecaptchaVerifier().verify(ticket="tok", rand_str="", user_ip="203.0.113.9", action=action) is accepted
    assert google.requests[0].body.decode() == "secret=google-secret&response=tok&remoteip=203.0.113.9"


def test_recaptcha_failure_is_unavailable(google):
    google.reply = lambda recorded: (502, b"bad gateway")

    with pytest.raises(CaptchaUnavailable):
        RecaptchaVerifier().verify(ticket="tok", rand_str="", user_ip="")


def test_the_configured_verifier_is_chosen_and_fake_wins(settings):
    assert isinstance(captcha_verifier(), FakeCaptchaVerifier)
    assert isinstance(captcha_verifier("tencent"), FakeCaptchaVerifier)
    settings.CAPTCHA_VERIFIER = "recaptcha"
    assert isinstance(captcha_verifier(), RecaptchaVerifier)
    assert isinstance(captcha_verifier("tencent"), TencentCaptchaVerifier)
    settings.CAPTCHA_VERIFIER = "nonsense"
    with pytest.raises(CaptchaUnavailable):
        captcha_verifier()


def test_captcha_check_refuses_missing_and_wrong_answers():
    captcha_check(ticket="valid")
    with pytest.raises(ApplicationError) as missing:
        captcha_check(ticket="")
    with pytest.raises(ApplicationError) as wrong:
        captcha_check(ticket="forged")

    assert (missing.value.status, missing.value.code) == (400, "captcha_required")
    assert (wrong.value.status, wrong.value.code) == (400, "captcha_invalid")
