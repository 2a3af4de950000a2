import pytest

from crm.users.tests.factories import UserFactory

URL = "/api/v1/public/verification/check-email-registered"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("email", "is_registered"),
    [
        ("taken@example.com", True),
        ("TAKEN@Example.COM", True),
        (" taken@example.com ", True),
        ("free@example.com", False),
    ],
)
def test_tells_whether_an_address_is_registered(api, email, is_registered):
    UserFactory(email="taken@example.com")

    response = api.post(URL, {"email": email}, format="json")

    assert response.status_code == 200
    assert response.json() == {"is_registered": is_registered}


def test_logged_in_users_may_ask_too(user_api):
    response = user_api.post(URL, {"email": "free@example.com"}, format="json")

    assert response.json() == {"is_registered": False}


@pytest.mark.parametrize("body", [{}, {"email": ""}, {"email": "not-an-address"}, {"email": ["a@example.com"]}])
def test_refuses_bad_input(api, body):
    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == {"email"}


def test_is_post_only(api):
    assert api.get(URL, {"email": "a@example.com"}).status_code == 405
