import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from clients.models import ClientProfile
from crm.users.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "Sunny-Harbour-2024"


def sign_up(browser, **overrides):
    data = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD, **overrides}
    return browser.post(reverse("account_signup"), data)


def test_signup_makes_a_client_with_the_invite_code_from_the_link(anonymous):
    page = anonymous.get(reverse("account_signup") + "?invite=IB42")
    assert page.status_code == 200
    assert 'value="IB42"' in page.content.decode()

    response = sign_up(anonymous)

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == User.Role.CLIENT
    assert user.check_password(PASSWORD)
    assert ClientProfile.objects.get(user=user).invite_code == "IB42"
    assert not EmailAddress.objects.get(user=user).verified


def test_the_invite_code_typed_in_the_form_wins(anonymous):
    anonymous.get(reverse("account_signup") + "?invite=FROMLINK")

    sign_up(anonymous, invite_code="TYPED")

    assert ClientProfile.objects.get(user__email="new@example.com").invite_code == "TYPED"


def test_the_companys_password_rules_are_shown_on_the_form(anonymous):
    response = sign_up(anonymous, password1="password", password2="password")

    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert "This password is too common." in errors
    assert not User.objects.exists()


def test_verification_link_signs_the_client_in(anonymous):
    sign_up(anonymous)
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)

    page = anonymous.get(link)
    assert page.status_code == 200
    response = anonymous.post(link)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert anonymous.get(reverse("portal:dashboard")).status_code == 200


def test_login_needs_a_verified_address(anonymous):
    sign_up(anonymous)
    anonymous.logout()

    response = anonymous.post(reverse("account_login"), {"login": "new@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert anonymous.get(reverse("portal:dashboard")).status_code == 302


def test_a_verified_client_logs_in_to_the_dashboard(anonymous, client_user):
    EmailAddress.objects.create(user=client_user, email=client_user.email, verified=True, primary=True)

    response = anonymous.post(reverse("account_login"), {"login": client_user.email, "password": "Correct-horse-42"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_password_reset_goes_through_the_companys_rules(anonymous, client_user):
    EmailAddress.objects.create(user=client_user, email=client_user.email, verified=True, primary=True)
    anonymous.post(reverse("account_reset_password"), {"email": client_user.email})
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    form_url = anonymous.get(link)["Location"]

    weak = anonymous.post(form_url, {"password1": "password", "password2": "password"})
    assert "This password is too common." in weak.context["form"].errors["password1"]

    done = anonymous.post(form_url, {"password1": "Brand-New-Pass-77", "password2": "Brand-New-Pass-77"})
    assert done.status_code == 302
    client_user.refresh_from_db()
    assert client_user.check_password("Brand-New-Pass-77")


def test_google_is_offered_only_when_configured(anonymous, settings):
    assert "/accounts/google/login/" not in anonymous.get(reverse("account_login")).content.decode()

    settings.SOCIALACCOUNT_PROVIDERS = {"google": {"APP": {"client_id": "id", "secret": "secret", "key": ""}}}

    assert "/accounts/google/login/" in anonymous.get(reverse("account_login")).content.decode()


def test_password_change_keeps_the_client_signed_in_and_ends_api_tokens(portal, client_user):
    from crm.users.models import ApiToken
    from crm.users.tokens import token_issue

    token_issue(user=client_user)
    url = reverse("account_change_password")

    weak = portal.post(url, {"oldpassword": "Correct-horse-42", "password1": "password", "password2": "password"})
    assert "This password is too common." in weak.context["form"].errors["password1"]

    response = portal.post(
        url, {"oldpassword": "Correct-horse-42", "password1": "Brand-New-Pass-77", "password2": "Brand-New-Pass-77"}
    )

    assert response.status_code == 302
    client_user.refresh_from_db()
    assert client_user.check_password("Brand-New-Pass-77")
    assert not ApiToken.objects.filter(user=client_user, revoked_at=None).exists()
    assert portal.get(reverse("portal:dashboard")).status_code == 200
