"""Reads of users and their credentials."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from crm.users.hashing import digest
from crm.users.models import PasswordResetToken, PasswordStrength, User, normalize_email
from crm.users.passwords import STRENGTH_ORDER


def user_exists_with_email(*, email: str) -> bool:
    """Whether an account uses `email` (compared case-insensitively)."""
    return User.objects.filter(email=normalize_email(email)).exists()


def password_reset_token_is_usable(*, token: str) -> bool:
    """Whether `token` is a known, unused, unexpired password-reset token."""
    if not token:
        return False
    return PasswordResetToken.objects.filter(
        Q(used_at=None) & Q(expires_at__gt=timezone.now()), token_hash=digest(token)
    ).exists()


def user_security_settings(*, user: User) -> dict:
    """What the user's security page shows: their e-mail, their password's strength and the company's rules."""
    from crm.configuration.models import SecuritySettings

    security = SecuritySettings.load()
    required = security.required_password_strength
    strength = user.password_strength
    return {
        "email": user.email,
        "password": strength,
        "required_password": required,
        "is_password_strong_enough": bool(strength)
        and STRENGTH_ORDER.index(PasswordStrength(strength)) >= STRENGTH_ORDER.index(PasswordStrength(required)),
        "email_verification_scenarios": list(security.email_verification_scenarios or []),
    }
