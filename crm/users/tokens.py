"""Issuing and revoking API tokens."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from crm.users.hashing import digest, new_secret
from crm.users.models import ApiToken, User


def token_issue(*, user: User, ip_address: str | None = None, user_agent: str = "") -> str:
    """A new bearer token for `user`; the raw value is returned once and never stored."""
    raw = new_secret()
    ApiToken.objects.create(
        user=user,
        key_hash=digest(raw),
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
        ip_address=ip_address,
        user_agent=user_agent[:255],
    )
    return raw


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())


def tokens_revoke_all(*, user: User) -> int:
    """Every live token of `user` dies (password change or reset, disabling the user)."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
