"""Reads of the public settings."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.cache import cache

from crm.configuration.models import COMPANY_CACHE_KEY, Company


def company_time_zone() -> zoneinfo.ZoneInfo:
    """The company's time zone, cached (every request needs it; it changes almost never)."""
    name = cache.get(COMPANY_CACHE_KEY)
    if name is None:
        row = Company.objects.filter(pk=1).values_list("timezone", flat=True).first()
        name = row or settings.TIME_ZONE
        cache.set(COMPANY_CACHE_KEY, name, 300)
    return zoneinfo.ZoneInfo(name)


def leverages_enabled():
    from crm.configuration.models import Leverage

    return Leverage.objects.filter(is_enabled=True).order_by("value")


def tenant_version() -> str:
    """The company's version plus a revision derived from when any singleton setting last changed."""
    from django.db.models import Max

    from crm.configuration.models import AppKeys, Appearance, SecuritySettings

    company = Company.load()
    stamps = [company.updated_at] + [
        stamp
        for model in (Appearance, AppKeys, SecuritySettings)
        if (stamp := model.objects.aggregate(latest=Max("updated_at"))["latest"])
    ]
    return f"{company.version}.{int(max(stamps).timestamp())}"
