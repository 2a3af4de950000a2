"""The public settings as read from the cache: every request reads them, staff change them rarely.

Each key carries a generation number, and any change to a model that feeds them bumps it: every
answer cached before is then ignored at once (and expires on its own) without listing the keys.
`crm.configuration.apps` wires the bump to the models' saves and deletes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

Value = TypeVar("Value")

GENERATION_KEY = "public-settings:generation"
# Only a safety net: a change bumps the generation at once.
TIMEOUT_SECONDS = 3600


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh number, never one an evicted generation had: its old keys may still be cached.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def public_setting_cached(name: str, compute: Callable[[], Value]) -> Value:
    """`compute()`, cached under `name` until the public settings change."""
    key = f"public-settings:{_generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT_SECONDS)
    return value


def _bump() -> None:
    # No generation yet (ValueError): the next read starts a fresh one.
    with contextlib.suppress(ValueError):
        cache.incr(GENERATION_KEY)


def public_settings_changed() -> None:
    """Forget every cached public setting, now and again when the transaction commits.

    Now, so the writer reads its own change; at commit, because a reader running meanwhile may
    have cached the old rows under the new generation.
    """
    _bump()
    transaction.on_commit(_bump)
