"""Keeping secrets (passwords, codes, tokens, API secrets) out of what people and logs see.

One place decides what a secret looks like: keys of settings, payloads and audit data
(`is_secret_key`), and `key=value` pairs or bearer tokens in free text (`redacted_text`). The
admin shows `redacted(...)` values, `audit_record` stores redacted data, and the log handlers of
`settings.LOGGING` run `SecretsFilter`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "********"
# Parts of the keys (of connection settings at any depth, operation payloads, audit data) that hold secrets.
SECRET_KEY_PARTS = ("password", "secret", "token", "api_key", "apikey", "private_key", "signature", "otp")

_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)
    (\b[\w-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key|signature|otp)[\w-]*\b["']?\s*[:=]\s*["']?)
    ([^\s"',;&}]+)
    """
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)([^\s\"',;]+)")


def is_secret_key(key: str) -> bool:
    key = key.lower()
    return any(part in key for part in SECRET_KEY_PARTS)


def _is_secret_value(item: Any) -> bool:
    # Flags and numbers under a secret-sounding key (`otp_required`, `token_lifetime`) are not secrets.
    return isinstance(item, str | dict | list) and len(item) > 0


def redacted(value: Any) -> Any:
    """`value` with every secret (non-empty) replaced by `REDACTED`, for showing to people and audit rows."""
    if isinstance(value, dict):
        return {
            key: (REDACTED if is_secret_key(str(key)) and _is_secret_value(item) else redacted(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value


def unredacted(value: Any, stored: Any) -> Any:
    """`value` as edited by someone who saw `redacted(stored)`: a secret left as `REDACTED` keeps its stored value."""
    if isinstance(value, dict):
        stored = stored if isinstance(stored, dict) else {}
        return {
            key: stored.get(key, "") if is_secret_key(key) and item == REDACTED else unredacted(item, stored.get(key))
            for key, item in value.items()
        }
    return value


def redacted_text(text: str) -> str:
    """`text` with the values of `password=…`, `"api_key": "…"`, `Bearer …` and the like masked."""
    text = _SECRET_ASSIGNMENT.sub(lambda match: match.group(1) + REDACTED, text)
    return _BEARER.sub(lambda match: match.group(1) + REDACTED, text)


class SecretsFilter(logging.Filter):
    """Masks secrets in a record's message and traceback before any handler writes it.

    A safety net: code must not log secrets in the first place (the tests check the flows that
    handle them), but a library's debug line or an exception's message may carry one.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redacted_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redacted_text(logging.Formatter().formatException(record.exc_info))
        return True
