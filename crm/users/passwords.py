"""Password strength as the company's security settings grade it."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.errors import ApplicationError
from crm.users.models import PasswordStrength

STRENGTH_ORDER = [PasswordStrength.WEAK, PasswordStrength.MEDIUM, PasswordStrength.STRONG]


def password_strength_of(password: str) -> str:
    """weak: anything; medium: 8+ characters with letters and digits; strong: 10+ with upper,
    lower, digit and symbol."""
    classes = sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    has_letters_and_digits = bool(re.search(r"[A-Za-z]", password)) and bool(re.search(r"\d", password))
    if len(password) >= 10 and classes == 4:
        return PasswordStrength.STRONG
    if len(password) >= 8 and has_letters_and_digits:
        return PasswordStrength.MEDIUM
    return PasswordStrength.WEAK


def password_validate(*, password: str, user=None, field: str = "password") -> str:
    """Check `password` against Django's validators and the company's required strength.

    Returns its strength; raises a field error naming `field` otherwise."""
    from crm.configuration.models import SecuritySettings

    errors: list[str] = []
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        errors.extend(error.messages)
    strength = password_strength_of(password)
    required = SecuritySettings.load().required_password_strength
    if STRENGTH_ORDER.index(strength) < STRENGTH_ORDER.index(required):
        errors.append(
            _("The password is too weak: the company requires a %(strength)s password.")
            % {"strength": PasswordStrength(required).label}
        )
    if errors:
        raise ApplicationError(
            code="password_too_weak", message=_("Choose a stronger password."), fields={field: errors}
        )
    return strength
