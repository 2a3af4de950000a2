from datetime import timedelta

import pytest
from django.utils import timezone

from crm.users.hashing import digest
from crm.users.models import ApiToken
from crm.users.tests.factories import UserFactory
from crm.users.tokens import token_issue

URL = "/api/v1/public/auth/logout"
PROTECTED = "/api/v1/public/auth/get-user-security-settings"
pytestmark = pytest.mark.django_db


def test_revokes_only_the_presented_token(api, user):
    presented, other = token_issue(user=user), token_issue(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {presented}")

    response = api.post(URL)

    assert response.status_code == 200
    assert response.json() == {}
    assert ApiToken.objects.get(key_hash=digest(presented)).revoked_at is not None
    assert ApiToken.objects.get(key_hash=digest(other)).revoked_at is None
    assert api.get(PROTECTED).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert api.get(PROTECTED).status_code == 200


def test_a_logged_out_token_cannot_log_out_again(user_api):
    user_api.post(URL)

    response = user_api.post(URL)

    assert response.status_code == 401
    assert response.json() == {
        "code": "authentication_failed",
        "message": "The token is invalid or has expired; log in again.",
        "fields": {},
    }


def test_anonymous_callers_are_refused(api):
    response = api.post(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_expired_tokens_are_refused_everywhere(api, user):
    raw = token_issue(user=user)
    ApiToken.objects.filter(key_hash=digest(raw)).update(expires_at=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert api.post(URL).status_code == 401
    assert api.get(PROTECTED).status_code == 401
    assert ApiToken.objects.get(key_hash=digest(raw)).revoked_at is None


def test_tokens_of_disabled_users_are_refused(api):
    user = UserFactory(status="disabled")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")

    response = api.post(URL)

    assert response.status_code == 401
    assert response.json()["message"] == "This account is disabled."
