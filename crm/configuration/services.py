"""Writes to the public settings that are more than saving a form."""

from __future__ import annotations

from django.db import transaction

from crm.configuration.models import PortalLanguage


@transaction.atomic
def portal_language_set_default(*, language_id: int) -> PortalLanguage:
    """Make one language the default (and enabled); the previous default stops being it."""
    language = PortalLanguage.objects.select_for_update().get(pk=language_id)
    # Clear first: the database allows only one default at a time.
    PortalLanguage.objects.filter(is_default=True).exclude(pk=language.pk).update(is_default=False)
    language.is_default = True
    language.is_enabled = True
    language.save(update_fields=["is_default", "is_enabled"])
    return language
