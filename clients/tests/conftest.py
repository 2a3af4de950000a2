import pytest
from django.utils import translation

from clients.selectors import client_profile_of
from clients.tests.factories import kyc_template, questionnaire_with_questions
from crm.configuration.tests.factories import CountryFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def english(api, client, settings):
    """Messages are asserted in English, whatever catalogues are compiled."""
    settings.PORTAL_URL = "https://crm.example"
    api.defaults["HTTP_X_LANGUAGE"] = "en-US"
    client.defaults["HTTP_X_LANGUAGE"] = "en-US"
    with translation.override("en"):
        yield


@pytest.fixture
def country(db):
    return CountryFactory(code="SG", name_i18n={"zh-CN": "新加坡", "en-US": "Singapore"})


@pytest.fixture
def questionnaire(db):
    return questionnaire_with_questions()


@pytest.fixture
def template(country, questionnaire):
    """The default template, with the questionnaire and an optional e_verify module."""
    return kyc_template(questionnaire=questionnaire, e_verify=True)


@pytest.fixture
def client_user(db):
    return UserFactory(email="ada@example.com", name="Ada Lovelace", role=User.Role.CLIENT, language="en-US")


@pytest.fixture
def profile(client_user):
    return client_profile_of(user=client_user)


@pytest.fixture
def client_api(api, client_user):
    return api.login_as(client_user)


@pytest.fixture
def staff(db):
    return UserFactory(
        email="compliance@example.com", name="Grace", role=User.Role.STAFF, is_superuser=True, language="en-US"
    )


@pytest.fixture
def staff_client(client, staff):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return client
