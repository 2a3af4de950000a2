"""The one sealed box for secrets the CRM must hand on later (trading passwords), never read by people.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from `SECRET_KEY`; `SECRET_KEY_FALLBACKS`
still open boxes sealed before a key rotation. Account applications waiting for staff and outbox
operations waiting for the platform both keep their passwords here, and erase the box once done.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# The derivation's label predates the outbox using the box too; changing it would lose every box
# sealed so far.
KEY_LABEL = "clients.trading.sealed-passwords"


class SealBroken(Exception):
    """The box cannot be opened: the key it was sealed with is gone (SECRET_KEY rotated without a fallback)."""


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"{KEY_LABEL}:{key}".encode()).digest())) for key in keys]
    )


def secrets_seal(secrets: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(secrets).encode()).decode()


def secrets_unseal(sealed: str) -> dict[str, str]:
    try:
        secrets = json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError) as error:
        raise SealBroken from error
    if not isinstance(secrets, dict):
        raise SealBroken
    return secrets
