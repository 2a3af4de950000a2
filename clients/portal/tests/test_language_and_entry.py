import pytest
from django.conf import settings
from django.urls import reverse

from crm.users.models import Language

pytestmark = pytest.mark.django_db


def test_root_sends_visitors_to_login_and_clients_to_the_dashboard(anonymous, portal):
    assert anonymous.get("/")["Location"] == reverse("account_login")
    assert portal.get("/")["Location"] == reverse("portal:dashboard")


def test_login_page_renders_without_google_when_it_is_not_configured(anonymous):
    response = anonymous.get(reverse("account_login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="login"' in html
    assert "Google" not in html


def test_language_switcher_sets_the_cookie_for_visitors(anonymous):
    response = anonymous.post(reverse("portal:language"), {"language": "en-US", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = anonymous.get(reverse("account_login"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en-US">' in page.content.decode()


def test_language_switcher_remembers_the_choice_on_the_user(portal, client_user):
    portal.post(reverse("portal:language"), {"language": "zh-CN", "next": reverse("portal:messages")})

    client_user.refresh_from_db()
    assert client_user.language == Language.ZH_CN
    page = portal.get(reverse("portal:messages"))
    assert page["Content-Language"] == "zh-hans"
    assert '<html lang="zh-CN">' in page.content.decode()


def test_language_switcher_never_redirects_off_site(anonymous):
    response = anonymous.post(reverse("portal:language"), {"language": "en-US", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_unknown_language_changes_nothing(portal, client_user):
    response = portal.post(reverse("portal:language"), {"language": "fr-FR"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    client_user.refresh_from_db()
    assert client_user.language == Language.EN_US
