import pytest
from django.test import Client
from django.utils import translation

from crm.users.models import Language
from crm.users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _language_kept():
    """The language middleware leaves the last request's language active in the thread; no test of ours
    may hand it on to the next test."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def client_user(db):
    return UserFactory(email="client@example.com", language=Language.EN_US)


@pytest.fixture
def other_client_user(db):
    return UserFactory(email="other@example.com", language=Language.EN_US)


@pytest.fixture
def portal(client_user):
    """A browser signed in to the portal as `client_user`."""
    browser = Client()
    browser.force_login(client_user)
    return browser


@pytest.fixture
def anonymous(settings):
    """A visitor whose browser asks for English (the portal's default is Chinese)."""
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser
