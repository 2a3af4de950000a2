"""allauth adapters: every portal sign-up is a client, made by the clients app's registration service.

allauth runs the pages (sign-up, sign-in, e-mail verification, password reset, Google); who a new
user becomes, which password rules apply and how a password is stored stay ours, so a client
registered in the portal is the same as one registered through the API.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.db import transaction
from django.urls import reverse

from clients.services.registration import client_register, client_register_social
from crm.api.languages import request_language
from crm.errors import ApplicationError
from crm.users.passwords import password_validate
from crm.users.services import user_password_set

from .forms import INVITE_SESSION_KEY


def invite_code_for(request, form=None) -> str:
    """The invite code the sign-up form was given, else the one the `?invite=` link left in the session."""
    typed = (form.cleaned_data.get("invite_code") or "").strip() if form is not None else ""
    return typed or (request.session.get(INVITE_SESSION_KEY, "") if request is not None else "")


class PortalAccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        if "password1" not in form.cleaned_data:
            # allauth's social sign-up form (Google gave no usable address): the social adapter saves.
            return super().save_user(request, user, form, commit=False)
        # The same service as the API's client.user.register; allauth confirms the address by its link.
        profile = client_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            invite_code=invite_code_for(request, form),
            verify_email_code=False,
            language=request_language(),
        )
        request.session.pop(INVITE_SESSION_KEY, None)
        return profile.user

    def clean_password(self, password, user=None):
        # The company's rules (Django's validators and the required strength), as on every other path.
        try:
            password_validate(password=password, user=user)
        except ApplicationError as error:
            messages = [message for field_messages in error.fields.values() for message in field_messages]
            raise forms.ValidationError(messages or [error.message]) from None
        return password

    def set_password(self, user, password):
        # Password change and reset: stored the company's way, every API token and reset link dies.
        user_password_set(user=user, password=password, by=user)

    def get_login_redirect_url(self, request):
        # Staff have no portal: their place is the back office.
        return reverse("admin:index" if request.user.is_staff else "portal:dashboard")


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Google sign-ups are clients, registered like any other: the invite code of the referral link,
    kept in the session through the round trip to Google, goes on their profile."""

    def save_user(self, request, sociallogin, form=None):
        sociallogin.user.language = request_language()
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            client_register_social(
                user=user, invite_code=invite_code_for(request), provider=sociallogin.account.provider
            )
        request.session.pop(INVITE_SESSION_KEY, None)
        return user
