"""Trading passwords: the rules the platforms enforce, and the sealed box a pending application keeps them in.

The CRM never stores a trading password it could read back, with one short-lived exception: a live
application waiting for staff keeps the passwords the client chose, encrypted (Fernet, with a key
derived from `SECRET_KEY`; `SECRET_KEY_FALLBACKS` still open older boxes), until staff decide. Then
they go into the outbox payload (which the outbox wipes once the platform has them) or are erased.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext as _

from crm.platforms.models import TradingServer

# MT5 asks 8–16 characters mixing lower case, upper case and digits; MT4 allows at most 15.
MIN_LENGTH = 8
MAX_LENGTH = {TradingServer.Platform.MT5: 16, TradingServer.Platform.MT4: 15}
ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def trading_password_problems(password: str, *, platform: str) -> list[str]:
    """What keeps `password` from being a trading password on `platform` (`[]`: nothing)."""
    longest = MAX_LENGTH.get(platform, MAX_LENGTH[TradingServer.Platform.MT5])
    problems = []
    if not MIN_LENGTH <= len(password) <= longest:
        problems.append(_("Use %(shortest)d to %(longest)d characters.") % {"shortest": MIN_LENGTH, "longest": longest})
    if not (
        any(character.islower() for character in password)
        and any(character.isupper() for character in password)
        and any(character.isdigit() for character in password)
    ):
        problems.append(_("Mix lower-case letters, upper-case letters and digits."))
    if not set(password) <= ALLOWED_CHARACTERS:
        problems.append(_("Use only letters, digits and punctuation, without spaces."))
    return problems


def trading_password_generate(length: int = 12) -> str:
    """A random password that meets the rules of every platform."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if not trading_password_problems(password, platform=TradingServer.Platform.MT4):
            return password


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(hashlib.sha256(f"clients.trading.sealed-passwords:{key}".encode()).digest())
            )
            for key in keys
        ]
    )


def passwords_seal(passwords: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(passwords).encode()).decode()


class SealBroken(Exception):
    """The box cannot be opened: the key it was sealed with is gone (SECRET_KEY rotated without a fallback)."""


def passwords_unseal(sealed: str) -> dict[str, str]:
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError) as error:
        raise SealBroken from error
