import pytest

from crm.users.tests.factories import UserFactory

URL = "/api/v1/public/auth/get-user-security-settings"
pytestmark = pytest.mark.django_db


def test_shows_the_users_password_against_the_company_rules(api, security):
    security.required_password_strength = "strong"
    security.email_verification_scenarios = ["withdrawal", "password_change"]
    security.save()
    user = UserFactory(email="a@example.com", password_strength="medium")

    response = api.login_as(user).get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "email": "a@example.com",
        "password": "medium",
        "required_password": "strong",
        "is_password_strong_enough": False,
        "email_verification_scenarios": ["withdrawal", "password_change"],
    }


def test_defaults(user_api, user):
    assert user_api.get(URL).json() == {
        "email": user.email,
        "password": "strong",
        "required_password": "medium",
        "is_password_strong_enough": True,
        "email_verification_scenarios": [],
    }


def test_unknown_strength_is_not_enough(api):
    user = UserFactory(password_strength="")

    body = api.login_as(user).get(URL).json()

    assert (body["password"], body["is_password_strong_enough"]) == ("", False)


def test_anonymous_callers_are_refused(api):
    response = api.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
