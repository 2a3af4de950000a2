"""Fixtures every test can use."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from crm.users.tests.factories import UserFactory
from crm.users.tokens import token_issue


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test starts with an empty cache (throttles, attempt counters) and its own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAPTCHA_VERIFIER = "fake"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An anonymous API client; `api.login_as(user)` signs it in with a bearer token."""
    client = APIClient()

    def login_as(user):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")
        return client

    client.login_as = login_as
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_api(api, user):
    return api.login_as(user)
