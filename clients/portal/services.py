"""The one write the portal itself owns: the language a signed-in user chose in the switcher."""

from __future__ import annotations

from django.db import transaction

from crm.users.models import Language, User


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Remember `language` (`zh-CN`, `en-US`) for `user`: the portal, the apps and e-mails use it."""
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
