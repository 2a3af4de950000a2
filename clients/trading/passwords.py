"""Trading passwords: the rules the platforms enforce, and random ones that meet them.

The CRM keeps a trading password only while it must hand it on, and then sealed
(`crm.platforms.sealing`): a live application waiting for staff, then the outbox operation that
sets it on the platform. Both erase it once it is handed on or no longer needed.
"""

from __future__ import annotations

import secrets
import string

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
