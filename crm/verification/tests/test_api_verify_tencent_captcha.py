import json

import pytest

from crm.configuration.models import AppKeys

URL = "/api/v1/public/captcha/verify-tencent-captcha"
pytestmark = pytest.mark.django_db


@pytest.fixture
def app_keys(db):
    keys = AppKeys.load()
    keys.tencent_web_app_id = 190001
    keys.tencent_android_app_id = 190003
    keys.save()
    return keys


def body(**changes):
    return {"app_id": 190001, "rand_str": "@xyz", "ticket": "valid", "user_ip": "203.0.113.9", **changes}


@pytest.mark.parametrize(("ticket", "is_valid"), [("valid", True), ("forged", False)])
def test_says_whether_the_ticket_is_valid(api, app_keys, ticket, is_valid):
    response = api.post(URL, body(ticket=ticket), format="json")

    assert response.status_code == 200
    assert response.json() == {"is_valid": is_valid}


def test_asks_tencent_when_configured(api, tencent):
    response = api.post(URL, body(app_id=190002, ticket="t-9"), format="json")

    assert response.json() == {"is_valid": True}
    sent = json.loads(tencent.requests[0].body)
    assert (sent["CaptchaAppId"], sent["Ticket"], sent["Randstr"], sent["UserIp"]) == (
        190002,
        "t-9",
        "@xyz",
        "203.0.113.9",
    )


def test_tencent_failures_are_503(api, tencent):
    tencent.reply = lambda recorded: (500, b"down")

    response = api.post(URL, body(app_id=190002), format="json")

    assert response.status_code == 503
    assert response.json() == {
        "code": "captcha_unavailable",
        "message": "The captcha could not be checked right now; try again in a moment.",
        "fields": {},
    }


def test_refuses_app_ids_that_are_not_the_companys(api, app_keys):
    response = api.post(URL, body(app_id=999), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Some fields are missing or invalid.",
        "fields": {"app_id": ["This is not one of the company's captcha apps."]},
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"app_id": "web"}, "app_id"),
        ({"user_ip": "not-an-ip"}, "user_ip"),
        ({"ticket": ""}, "ticket"),
        ({"rand_str": None}, "rand_str"),
    ],
)
def test_refuses_malformed_input(api, app_keys, changes, field):
    response = api.post(URL, body(**changes), format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}


@pytest.mark.parametrize("missing", ["app_id", "rand_str", "ticket", "user_ip"])
def test_refuses_missing_fields(api, app_keys, missing):
    payload = body()
    del payload[missing]

    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {missing}
