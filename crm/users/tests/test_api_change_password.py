from datetime import UTC, datetime

import pytest
from rest_framework.throttling import ScopedRateThrottle

from crm.users.models import ApiToken
from crm.users.tests.factories import DEFAULT_PASSWORD
from crm.users.tokens import token_issue
from crm.verification.models import EmailCode
from crm.verification.tests.factories import EmailCodeFactory

URL = "/api/v1/public/auth/change-password"
LOGIN = "/api/v1/public/auth/login"
PROTECTED = "/api/v1/public/auth/get-user-security-settings"
NEW_PASSWORD = "Brand-new-Pass-77"
NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def code_required(security):
    security.email_verification_scenarios = ["password_change"]
    security.save()


def change(client, **changes):
    return client.post(URL, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, **changes}, format="json")


def test_changes_the_password_and_ends_every_session(api, user_api, user):
    other_session = token_issue(user=user)

    response = change(user_api)

    assert response.status_code == 200
    assert response.json() == {}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password_strength == "strong"
    assert ApiToken.objects.filter(user=user, revoked_at=None).count() == 0
    assert user_api.get(PROTECTED).status_code == 401
    user_api.credentials(HTTP_AUTHORIZATION=f"Bearer {other_session}")
    assert user_api.get(PROTECTED).status_code == 401
    user_api.credentials()
    assert user_api.post(LOGIN, {"email": user.email, "password": NEW_PASSWORD}, format="json").status_code == 200
    assert user_api.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json").status_code == 400


def test_records_the_strength_of_the_new_password(user_api, user):
    change(user_api, new_password="plainword123")

    user.refresh_from_db()
    assert user.password_strength == "medium"


def assert_unchanged(user, tokens=1):
    password = user.password
    user.refresh_from_db()
    assert user.password == password
    assert ApiToken.objects.filter(user=user, revoked_at=None).count() == tokens


def test_refuses_a_wrong_old_password(user_api, user):
    response = change(user_api, old_password="Not-my-password-1")

    assert response.status_code == 400
    assert response.json() == {
        "code": "old_password_incorrect",
        "message": "The current password is incorrect.",
        "fields": {"old_password": ["The current password is incorrect."]},
    }
    assert_unchanged(user)


def test_refuses_the_same_password(user_api, user):
    response = change(user_api, new_password=DEFAULT_PASSWORD)

    assert response.status_code == 400
    assert response.json()["code"] == "password_unchanged"
    assert set(response.json()["fields"]) == {"new_password"}
    assert_unchanged(user)


@pytest.mark.parametrize("new_password", ["short1", "onlyletters", "12345678901"])
def test_refuses_weak_passwords(user_api, user, new_password):
    response = change(user_api, new_password=new_password)

    assert response.status_code == 400
    assert response.json()["code"] == "password_too_weak"
    assert set(response.json()["fields"]) == {"new_password"}
    assert_unchanged(user)


def test_follows_the_companys_required_strength(user_api, user, security):
    security.required_password_strength = "strong"
    security.save()

    response = change(user_api, new_password="plainword123")

    assert response.status_code == 400
    assert response.json()["fields"]["new_password"] == [
        "The password is too weak: the company requires a Strong password."
    ]
    assert_unchanged(user)


def test_needs_the_email_code_when_the_company_asks(user_api, user, code_required):
    code = EmailCodeFactory(email=user.email, scene="password_change", code="246810")

    response = change(user_api)

    assert response.status_code == 400
    assert response.json() == {
        "code": "email_code_required",
        "message": "Enter the code sent to your e-mail.",
        "fields": {"email_code": ["This field is required."]},
    }
    assert_unchanged(user)
    code.refresh_from_db()
    assert code.consumed_at is None


def test_refuses_a_wrong_email_code(user_api, user, code_required):
    code = EmailCodeFactory(email=user.email, scene="password_change", code="246810")

    response = change(user_api, email_code="000000")

    assert response.status_code == 400
    assert response.json()["code"] == "email_code_invalid"
    assert response.json()["fields"] == {"email_code": ["The code is incorrect."]}
    assert_unchanged(user)
    code.refresh_from_db()
    assert code.consumed_at is None


def test_refuses_a_code_of_another_scene(user_api, user, code_required):
    EmailCodeFactory(email=user.email, scene="withdrawal", code="246810")

    response = change(user_api, email_code="246810")

    assert response.json()["code"] == "email_code_expired"
    assert_unchanged(user)


def test_spends_the_email_code_once(user_api, user, code_required):
    code = EmailCodeFactory(email=user.email, scene="password_change", code="246810")

    assert change(user_api, email_code="246810").status_code == 200

    code.refresh_from_db()
    assert code.consumed_at == NOW
    user.refresh_from_db()
    fresh = token_issue(user=user)
    user_api.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh}")
    again = change(user_api, old_password=NEW_PASSWORD, new_password="Another-Pass-88", email_code="246810")
    assert again.status_code == 400
    assert again.json()["code"] == "email_code_expired"
    assert_unchanged(user)


def test_a_failed_change_leaves_the_code_unspent(user_api, user, code_required):
    code = EmailCodeFactory(email=user.email, scene="password_change", code="246810")

    response = change(user_api, new_password="weak", email_code="246810")

    assert response.json()["code"] == "password_too_weak"
    code.refresh_from_db()
    assert code.consumed_at is None


def test_ignores_the_email_code_when_not_required(user_api, user):
    assert change(user_api, email_code="whatever").status_code == 200
    assert EmailCode.objects.count() == 0


@pytest.mark.parametrize("missing", ["old_password", "new_password"])
def test_refuses_missing_fields(user_api, user, missing):
    body = {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    del body[missing]

    response = user_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == {missing}
    assert_unchanged(user)


def test_anonymous_callers_are_refused(api):
    response = change(api)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_is_throttled(user_api, user, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "login", "2/min")
    change(user_api, old_password="wrong-1")
    change(user_api, old_password="wrong-2")

    response = change(user_api)

    assert response.status_code == 429
    assert_unchanged(user)
