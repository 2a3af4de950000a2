"""Reads of the public settings, shared by the API, the portals and the admin.

The singletons are read without creating their row: a GET must not write. Until staff save a
setting, its unsaved defaults are what everyone sees.
"""

from __future__ import annotations

import zoneinfo
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, QuerySet

from crm.configuration.models import (
    COMPANY_CACHE_KEY,
    Appearance,
    AppKeys,
    Company,
    Country,
    Currency,
    FundingMethod,
    Leverage,
    PortalLanguage,
    SecuritySettings,
    SingletonModel,
)

Singleton = TypeVar("Singleton", bound=SingletonModel)

# The `method` value that means "every funding method".
ALL_METHODS = "all"


def singleton_get(model: type[Singleton]) -> Singleton:
    """The settings row, or an unsaved row with the defaults when staff never saved one."""
    return model._default_manager.filter(pk=1).first() or model(pk=1)


def company_get() -> Company:
    return singleton_get(Company)


def appearance_get() -> Appearance:
    return singleton_get(Appearance)


def app_keys_get() -> AppKeys:
    return singleton_get(AppKeys)


def security_settings_get() -> SecuritySettings:
    return singleton_get(SecuritySettings)


def company_time_zone() -> zoneinfo.ZoneInfo:
    """The company's time zone, cached (every request needs it; it changes almost never)."""
    name = cache.get(COMPANY_CACHE_KEY)
    if name is None:
        row = Company.objects.filter(pk=1).values_list("timezone", flat=True).first()
        name = row or settings.TIME_ZONE
        cache.set(COMPANY_CACHE_KEY, name, 300)
    return zoneinfo.ZoneInfo(name)


def leverages_enabled() -> QuerySet[Leverage]:
    return Leverage.objects.filter(is_enabled=True).order_by("value")


def countries_enabled() -> QuerySet[Country]:
    return Country.objects.filter(is_enabled=True).order_by("position", "code")


def currencies_enabled(*, method: str = ALL_METHODS) -> QuerySet[Currency]:
    """Enabled currencies; with a funding method, only those that method accepts."""
    currencies = Currency.objects.filter(is_enabled=True)
    if method != ALL_METHODS:
        if method not in FundingMethod.values:
            raise ValueError(f"unknown funding method {method!r}")
        currencies = currencies.filter(**{f"for_{method}": True})
    return currencies.order_by("position", "code")


def portal_languages_enabled() -> QuerySet[PortalLanguage]:
    return PortalLanguage.objects.filter(is_enabled=True).order_by("position", "code")


def tenant_version() -> str:
    """The company's version plus a revision from when any singleton setting last changed.

    `1.0.0.0` until staff save a setting; apps refetch the settings when it changes.
    """
    company = company_get()
    stamps = [
        stamp
        for model in (Company, Appearance, AppKeys, SecuritySettings)
        if (stamp := model.objects.aggregate(latest=Max("updated_at"))["latest"])
    ]
    revision = int(max(stamps).timestamp()) if stamps else 0
    return f"{company.version}.{revision}"
