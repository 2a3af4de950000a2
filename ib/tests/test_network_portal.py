"""The client portal's "become an IB" page."""

import pytest
from django.test import Client
from django.urls import reverse

from clients.trading.tests.factories import client_user
from crm.users.models import Language
from ib.models import IbApplication
from ib.services import ib_promote

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return client_user(language=Language.EN_US)


@pytest.fixture
def browser(user, settings):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(user)
    return browser


def test_the_dashboard_links_to_the_application_page(browser):
    page = browser.get(reverse("portal:dashboard")).content.decode()

    assert reverse("ib_apply") in page


def test_a_client_applies_once_and_sees_where_it_stands(browser, user):
    assert 'data-testid="ib-application-form"' in browser.get(reverse("ib_apply")).content.decode()

    response = browser.post(reverse("ib_apply"), {"message": "I teach trading."})

    assert response.status_code == 302
    application = IbApplication.objects.get(user=user)
    assert (application.message, application.status) == ("I teach trading.", IbApplication.Status.PENDING)
    page = browser.get(reverse("ib_apply")).content.decode()
    assert "Waiting for review" in page
    assert 'data-testid="ib-application-form"' not in page
    assert browser.post(reverse("ib_apply"), {"message": "again"}).status_code == 200
    assert IbApplication.objects.count() == 1


def test_an_ib_is_told_it_already_is_one(browser, user):
    ib_promote(user_id=user.pk, parent_id=None, plan_id=None, promoted_by=None)

    page = browser.get(reverse("ib_apply")).content.decode()

    assert "You are an introducing broker." in page
    assert reverse("ib_apply") not in browser.get(reverse("portal:dashboard")).content.decode()


def test_visitors_are_sent_to_sign_in(settings):
    response = Client().get(reverse("ib_apply"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
