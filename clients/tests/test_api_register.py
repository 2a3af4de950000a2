"""client.user.register"""

import pytest

from clients.models import ClientProfile, KycStatus
from crm.audit.models import AuditEntry
from crm.configuration.models import SecuritySettings
from crm.users.models import ApiToken, User
from crm.users.tests.factories import UserFactory
from crm.verification.models import EmailCode
from crm.verification.tests.factories import EmailCodeFactory

URL = "/api/v1/client/user/register"
INFO_URL = "/api/v1/client/user/get-info"
PASSWORD = "Correct-horse-42"

pytestmark = pytest.mark.django_db


def require_register_code():
    security = SecuritySettings.load()
    security.email_verification_scenarios = ["register"]
    security.save()


def test_registers_a_client_and_signs_them_in(api):
    response = api.post(
        URL, {"email": "New.Client@Example.com", "password": PASSWORD, "invite_code": " IB-7 "}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    user = User.objects.get(email="new.client@example.com")
    assert body["user_info"] == {
        "id": user.pk,
        "email": "new.client@example.com",
        "name": "",
        "phone": "",
        "country_code": None,
        "language": "en-US",
        "time_zone": "Asia/Shanghai",
        "role": "client",
        "status": "enabled",
        "date_joined": user.date_joined.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime(
            "%Y-%m-%d %H:%M:%S"
        ),
        "last_login": None,
        "password_strength": "strong",
    }
    assert user.check_password(PASSWORD)
    profile = ClientProfile.objects.get(user=user)
    assert (profile.invite_code, profile.kyc_status, profile.kyc_way) == ("IB-7", KycStatus.FILLING, "")
    assert ApiToken.objects.filter(user=user).count() == 1
    audit = AuditEntry.objects.get(action="client.registered")
    assert (audit.actor, audit.target_id, audit.data) == (user, str(profile.pk), {"invite_code": "IB-7"})

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get(INFO_URL).json()["kyc_status"] == "filling"


def test_the_request_language_becomes_the_users(api):
    response = api.post(URL, {"email": "zh@example.com", "password": PASSWORD}, format="json", HTTP_X_LANGUAGE="zh-CN")

    assert response.status_code == 200
    assert User.objects.get(email="zh@example.com").language == "zh-CN"
    assert ClientProfile.objects.get(user__email="zh@example.com").invite_code == ""


def test_a_registered_address_is_refused_whatever_its_case(api):
    UserFactory(email="taken@example.com")

    response = api.post(URL, {"email": "Taken@Example.COM", "password": PASSWORD}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "email_already_registered",
        "message": "This e-mail address is already registered; log in instead.",
        "fields": {"email": ["This e-mail address is already registered."]},
    }
    assert User.objects.count() == 1
    assert not ClientProfile.objects.exists()


def test_a_weak_password_is_refused_and_nothing_is_made(api):
    response = api.post(URL, {"email": "weak@example.com", "password": "abc"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "password_too_weak"
    assert set(response.json()["fields"]) == {"password"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "not-an-email", "password": PASSWORD}, {"email"}),
        ({"email": "a@example.com", "password": PASSWORD, "invite_code": "x" * 65}, {"invite_code"}),
        ({"email": "a@example.com", "password": ["list"]}, {"password"}),
    ],
)
def test_missing_or_malformed_fields_are_refused(api, body, fields):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields
    assert not User.objects.exists()


def test_without_a_required_email_code_registration_is_refused(api):
    require_register_code()

    response = api.post(URL, {"email": "coded@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "email_code_required"
    assert response.json()["fields"] == {"email_code": ["This field is required."]}
    assert not User.objects.exists()


def test_a_wrong_email_code_is_refused_and_the_code_stays_live(api):
    require_register_code()
    code = EmailCodeFactory(email="coded@example.com", scene="register")

    response = api.post(
        URL, {"email": "coded@example.com", "password": PASSWORD, "email_code": "000000"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "email_code_invalid"
    code.refresh_from_db()
    assert code.consumed_at is None
    assert not User.objects.exists()


def test_with_the_right_email_code_the_client_registers_and_the_code_is_spent(api):
    require_register_code()
    code = EmailCodeFactory(email="coded@example.com", scene="register")

    response = api.post(
        URL, {"email": "coded@example.com", "password": PASSWORD, "email_code": "123456"}, format="json"
    )

    assert response.status_code == 200
    code.refresh_from_db()
    assert code.consumed_at is not None
    assert User.objects.filter(email="coded@example.com", role="client").exists()


def test_a_refused_registration_does_not_spend_the_code(api):
    require_register_code()
    code = EmailCodeFactory(email="coded@example.com", scene="register")

    response = api.post(URL, {"email": "coded@example.com", "password": "abc", "email_code": "123456"}, format="json")

    assert response.status_code == 400
    code.refresh_from_db()
    assert code.consumed_at is None
    assert EmailCode.objects.filter(consumed_at__isnull=False).count() == 0


def test_without_the_requirement_no_code_is_needed(api):
    response = api.post(URL, {"email": "free@example.com", "password": PASSWORD, "email_code": ""}, format="json")

    assert response.status_code == 200


def test_registration_ignores_a_bearer_token(api, user):
    api.login_as(user)

    response = api.post(URL, {"email": "other@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json()["user_info"]["email"] == "other@example.com"
