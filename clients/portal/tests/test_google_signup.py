"""Signing up with Google keeps the referral link's invite code, through the round trip to Google.

The test client plays the browser: it follows the referral link, posts to allauth's Google login,
and comes back to the callback with Google's `state`. Only the two calls to Google's servers (the
token exchange and the ID token's decoding) are replaced.
"""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from django.urls import reverse

from clients.models import ClientProfile
from crm.audit.models import AuditEntry
from crm.users.models import Language, User

pytestmark = pytest.mark.django_db

GOOGLE_USER = {
    "iss": "https://accounts.google.com",
    "sub": "108204268033311374519",
    "email": "li.wei@gmail.com",
    "email_verified": True,
    "name": "Li Wei",
}


@pytest.fixture(autouse=True)
def google(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APP": {"client_id": "portal-id", "secret": "portal-secret", "key": ""}, "SCOPE": ["email"]}
    }


def google_round_trip(browser, *, google_user=GOOGLE_USER):
    """Press "Sign in with Google", consent at Google, come back to the callback."""
    to_google = browser.post(reverse("google_login"), {"process": "login"})
    assert to_google.status_code == 302
    assert to_google["Location"].startswith("https://accounts.google.com/")
    state = parse_qs(urlparse(to_google["Location"]).query)["state"][0]
    token = {"access_token": "ya29.token", "expires_in": 3599, "id_token": "header.payload.signature"}
    with (
        mock.patch.object(GoogleOAuth2Adapter, "get_access_token_data", return_value=token),
        mock.patch.object(GoogleOAuth2Adapter, "_decode_id_token", return_value=dict(google_user)),
    ):
        return browser.get(reverse("google_callback"), {"code": "4/0AfJohX", "state": state})


def test_a_google_sign_up_through_the_referral_link_keeps_the_invite_code(anonymous):
    signup_page = anonymous.get(reverse("account_signup") + "?invite=IB42")
    assert "/accounts/google/login/" in signup_page.content.decode()

    response = google_round_trip(anonymous)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    user = User.objects.get(email="li.wei@gmail.com")
    assert user.role == User.Role.CLIENT
    assert user.language == Language.EN_US  # the visitor's browser asks for English
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).uid == "108204268033311374519"
    assert EmailAddress.objects.get(user=user).verified
    assert ClientProfile.objects.get(user=user).invite_code == "IB42"
    entry = AuditEntry.objects.get(action="client.registered")
    assert (entry.actor, entry.data) == (user, {"invite_code": "IB42", "provider": "google"})
    assert "portal_invite_code" not in anonymous.session
    assert anonymous.get(reverse("portal:dashboard")).status_code == 200


def test_a_google_sign_up_without_a_referral_link_has_no_invite_code(anonymous):
    google_round_trip(anonymous)

    assert ClientProfile.objects.get(user__email="li.wei@gmail.com").invite_code == ""


def test_the_next_sign_up_in_the_same_browser_does_not_inherit_the_invite_code(anonymous):
    anonymous.get(reverse("account_signup") + "?invite=IB42")
    google_round_trip(anonymous)
    anonymous.logout()

    google_round_trip(anonymous, google_user={**GOOGLE_USER, "sub": "2", "email": "wang.fang@gmail.com"})

    assert ClientProfile.objects.get(user__email="wang.fang@gmail.com").invite_code == ""


def test_signing_in_again_with_google_changes_nothing(anonymous):
    google_round_trip(anonymous)
    anonymous.logout()
    anonymous.get(reverse("account_signup") + "?invite=OTHER")

    response = google_round_trip(anonymous)

    assert response.status_code == 302
    assert ClientProfile.objects.get(user__email="li.wei@gmail.com").invite_code == ""
    assert User.objects.count() == 1
    assert AuditEntry.objects.filter(action="client.registered").count() == 1


def test_when_google_gives_no_address_the_sign_up_form_keeps_the_invite_code(anonymous):
    anonymous.get(reverse("account_signup") + "?invite=IB42")
    without_email = {key: value for key, value in GOOGLE_USER.items() if not key.startswith("email")}

    to_form = google_round_trip(anonymous, google_user=without_email)
    assert to_form["Location"] == reverse("socialaccount_signup")
    response = anonymous.post(reverse("socialaccount_signup"), {"email": "li.wei@example.com"})

    assert response.status_code == 302
    user = User.objects.get(email="li.wei@example.com")
    assert (user.role, user.has_usable_password()) == (User.Role.CLIENT, False)
    assert ClientProfile.objects.get(user=user).invite_code == "IB42"
    assert SocialAccount.objects.get(user=user).uid == "108204268033311374519"
