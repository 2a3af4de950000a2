"""Every page renders in both languages the portal speaks."""

import pytest
from django.test import Client
from django.urls import reverse

from clients.models import KycModule
from crm.inbox.tests.factories import MessageFactory
from crm.users.models import Language
from crm.users.tests.factories import UserFactory

from .data import registration_template

pytestmark = pytest.mark.django_db

# A word of each language in the layout's menu, and the page's `lang`.
MARKERS = {Language.EN_US: ("Dashboard", 'lang="en-US"'), Language.ZH_CN: ("概览", 'lang="zh-CN"')}


@pytest.fixture
def pages(db):
    registration_template()
    return [
        reverse("portal:dashboard"),
        reverse("portal:kyc"),
        reverse("portal:kyc_step", args=[KycModule.IDENTITY]),
        reverse("portal:kyc_step", args=[KycModule.AUTHENTICATION_ACCESSORY]),
        reverse("portal:kyc_step", args=[KycModule.AGREEMENT]),
        reverse("portal:kyc_submit"),
        reverse("portal:trading_accounts"),
        reverse("portal:account_open"),
        reverse("portal:messages"),
        reverse("account_change_password"),
    ]


@pytest.mark.parametrize("language", [Language.EN_US, Language.ZH_CN])
def test_client_pages_render_in_the_users_language(pages, language):
    user = UserFactory(language=language)
    message = MessageFactory(recipients=[user], title_i18n={"zh-CN": "中文标题", "en-US": "English title"})
    browser = Client()
    browser.force_login(user)
    word, lang = MARKERS[language]

    for url in [*pages, reverse("portal:message", args=[message.pk])]:
        response = browser.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert lang in html, url
        assert word in html, url
    assert ("中文标题" if language == Language.ZH_CN else "English title") in html


@pytest.mark.parametrize("cookie, word", [("en", "Sign in"), ("zh-hans", "登录")])
def test_entrance_pages_render_in_the_visitors_language(settings, cookie, word):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    for url in [reverse("account_login"), reverse("account_signup"), reverse("account_reset_password")]:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert word in response.content.decode(), url
