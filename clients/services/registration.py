"""Signing up as a client."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from clients.errors import ClientErrorCode
from clients.models import ClientProfile
from crm.audit.services import audit_record
from crm.configuration.models import VerificationScene
from crm.errors import Conflict
from crm.users.models import Language, User, normalize_email
from crm.users.passwords import password_validate
from crm.verification.services import email_code_consume_if_required

logger = logging.getLogger(__name__)


def _already_registered() -> Conflict:
    return Conflict(
        code=ClientErrorCode.EMAIL_ALREADY_REGISTERED,
        message=_("This e-mail address is already registered; log in instead."),
        fields={"email": [_("This e-mail address is already registered.")]},
    )


@transaction.atomic
def client_register(
    *,
    email: str,
    password: str,
    invite_code: str = "",
    email_code: str | None = None,
    verify_email_code: bool = True,
    language: str = Language.ZH_CN,
) -> ClientProfile:
    """Create a client (user with the client role, and their profile) and return the profile.

    The password must meet the company's rules (400 `password_too_weak`). When the company asks for
    an e-mail code at registration, `email_code` is spent here (400 `email_code_required` /
    `email_code_invalid` / `email_code_expired`); the portal, which confirms addresses by its own
    link, passes `verify_email_code=False`. A registered address is 409 `email_already_registered`.
    `invite_code` is kept as given, for IB attribution.
    """
    email = normalize_email(email)
    if User.objects.filter(email=email).exists():
        raise _already_registered()
    password_validate(password=password, user=User(email=email), field="password")
    if verify_email_code:
        email_code_consume_if_required(email=email, scene=VerificationScene.REGISTER, code=email_code)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, role=User.Role.CLIENT, language=language)
    except IntegrityError:  # the same address, registered by a concurrent request
        raise _already_registered() from None
    return _client_profile_create(user=user, invite_code=invite_code)


@transaction.atomic
def client_register_social(*, user: User, invite_code: str = "", provider: str) -> ClientProfile:
    """Make `user`, just signed up through `provider` (Google) and saved by allauth, a client.

    Their address and identity are the provider's, and they have no password of ours; everything
    else is what `client_register` gives: the client role and the profile with the invite code.
    """
    if user.role != User.Role.CLIENT:
        user.role = User.Role.CLIENT
        user.save(update_fields=["role"])
    return _client_profile_create(user=user, invite_code=invite_code, provider=provider)


def _client_profile_create(*, user: User, invite_code: str, provider: str = "") -> ClientProfile:
    profile = ClientProfile.objects.create(user=user, invite_code=(invite_code or "").strip()[:64])
    data = {"invite_code": profile.invite_code, **({"provider": provider} if provider else {})}
    audit_record(actor=user, action="client.registered", target=profile, data=data)
    _registered_hook(user)
    return profile


def _registered_hook(user: User) -> None:
    """Tell the IB network (`settings.CLIENT_REGISTERED_HOOK`, which this app must not import) that a
    client registered, so the invite code attributes them. Best effort, in its own savepoint: a fault
    there is logged and must not cost the sign-up (staff can attribute the client afterwards)."""
    path = getattr(settings, "CLIENT_REGISTERED_HOOK", "")
    if not path:
        return
    try:
        with transaction.atomic():
            import_string(path)(client=user)
    except Exception:
        logger.exception("the registration hook failed for user %s", user.pk)
