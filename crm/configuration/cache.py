"""The public settings as read from the cache: every request reads some, staff change them rarely.

The answers live under a fixed set of keys (`NAMES`), so a read is one cache round trip and a
change forgets them all with one `delete_many`. `public_settings_fed_by` wires that to the saves
and deletes of every model that feeds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from crm.configuration.models import FundingMethod

Value = TypeVar("Value")

# The clients app's registration templates: configuration every KYC screen reads; forgotten with the
# public settings when a template or anything in it changes (`clients.apps`).
REGISTRATION_TEMPLATES = "registration-templates"
# Every name that may be cached: a change must be able to list what to forget.
NAMES = frozenset(
    {
        "company",
        "appearance",
        "app-keys",
        "security",
        "tenant-version",
        "leverages",
        *(f"countries:{language}" for language in settings.API_LANGUAGES),  # rendered, per language
        "languages",
        "currencies:all",
        REGISTRATION_TEMPLATES,
        *(f"currencies:{method}" for method in FundingMethod.values),
    }
)
# Only a safety net: a change forgets the answers at once.
TIMEOUT_SECONDS = 3600


def _key(name: str) -> str:
    return f"public-settings:{name}"


def public_setting_cached(name: str, compute: Callable[[], Value]) -> Value:
    """`compute()`, cached under `name` (one of `NAMES`) until the public settings change."""
    if name not in NAMES:
        raise ValueError(f"{name!r} is not in NAMES: a change would not forget it")
    value = cache.get(_key(name))
    if value is None:
        value = compute()
        cache.set(_key(name), value, TIMEOUT_SECONDS)
    return value


def _forget() -> None:
    cache.delete_many([_key(name) for name in NAMES])


def public_settings_changed() -> None:
    """Forget every cached public setting, now and again when the transaction commits.

    Now, so the writer reads its own change; at commit, because a reader running meanwhile may
    have cached the old rows again.
    """
    _forget()
    transaction.on_commit(_forget)


def _changed(sender: type[Model], **kwargs: object) -> None:
    public_settings_changed()


def public_settings_fed_by(*models: type[Model]) -> None:
    """Forget the cached settings whenever a row of `models` is saved or deleted (from `ready()`).

    A hook, not a call in each write path: these rows are written by the admin's forms,
    list_editable and actions, by services and by the demo loaders; a write path that forgot to
    forget the cache would serve stale settings for an hour. (QuerySet.update() sends no signal:
    its callers save a row in the same transaction.)
    """
    for model in models:
        label = model._meta.label
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-settings-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-settings-delete-{label}")
