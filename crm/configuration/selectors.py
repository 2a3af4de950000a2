"""Reads of the public settings, shared by the API, the portals and the admin.

The singletons are read without creating their row: a GET must not write. Until staff save a
setting, its unsaved defaults are what everyone sees. What every request or app start reads comes
from the cache (`crm.configuration.cache`) until a change to the settings forgets it.
"""

from __future__ import annotations

import zoneinfo
from typing import TypeVar

from django.db.models import Max, QuerySet

from crm.configuration.cache import public_setting_cached
from crm.configuration.models import (
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
    return public_setting_cached("company", lambda: singleton_get(Company))


def appearance_get() -> Appearance:
    return public_setting_cached("appearance", lambda: singleton_get(Appearance))


def app_keys_public() -> dict[str, str | int]:
    """The keys apps embed; the secrets are left out, so they never reach the cache either."""

    def compute() -> dict[str, str | int]:
        keys = singleton_get(AppKeys)
        return {
            "recaptcha_web_key": keys.recaptcha_web_key,
            "recaptcha_android_key": keys.recaptcha_android_key,
            # The spec types them as integers; 0 (never a real app id) stands for "not set".
            "tencent_web_app_id": keys.tencent_web_app_id or 0,
            "tencent_ios_app_id": keys.tencent_ios_app_id or 0,
            "tencent_android_app_id": keys.tencent_android_app_id or 0,
        }

    return public_setting_cached("app-keys", compute)


def security_settings_get() -> SecuritySettings:
    return public_setting_cached("security", lambda: singleton_get(SecuritySettings))


def company_time_zone() -> zoneinfo.ZoneInfo:
    """The company's time zone (every request needs it)."""
    return zoneinfo.ZoneInfo(company_get().timezone)


def leverages_enabled() -> QuerySet[Leverage]:
    return Leverage.objects.filter(is_enabled=True).order_by("value")


def leverages_enabled_cached() -> list[Leverage]:
    return public_setting_cached("leverages", lambda: list(leverages_enabled()))


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


def currencies_enabled_cached(*, method: str = ALL_METHODS) -> list[Currency]:
    if method != ALL_METHODS and method not in FundingMethod.values:
        raise ValueError(f"unknown funding method {method!r}")
    return public_setting_cached(f"currencies:{method}", lambda: list(currencies_enabled(method=method)))


def portal_languages_enabled() -> QuerySet[PortalLanguage]:
    return PortalLanguage.objects.filter(is_enabled=True).order_by("position", "code")


def portal_languages_enabled_cached() -> list[PortalLanguage]:
    return public_setting_cached("languages", lambda: list(portal_languages_enabled()))


def tenant_version() -> str:
    """The company's version plus a revision from when any singleton setting last changed.

    `1.0.0.0` until staff save a setting; apps refetch the settings when it changes.
    """

    def compute() -> str:
        company = singleton_get(Company)
        stamps = [
            stamp
            for model in (Company, Appearance, AppKeys, SecuritySettings)
            if (stamp := model.objects.aggregate(latest=Max("updated_at"))["latest"])
        ]
        revision = int(max(stamps).timestamp()) if stamps else 0
        return f"{company.version}.{revision}"

    return public_setting_cached("tenant-version", compute)
