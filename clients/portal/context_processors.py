"""What every portal page's layout shows: the broker's name, the language switcher, the unread badge."""

from __future__ import annotations

from functools import cache

from crm.api.languages import localized, request_language
from crm.configuration.selectors import company_get, portal_languages_enabled
from crm.inbox.selectors import message_unread_count
from crm.users.models import Language, User


def portal(request) -> dict:
    # Callables: a template evaluates them only if it uses them (the admin never does), once each.
    user = getattr(request, "user", None)
    is_client = bool(user is not None and user.is_authenticated and user.role in (User.Role.CLIENT, User.Role.IB))

    @cache
    def company_name() -> str:
        return localized(company_get().broker_name_i18n, request_language()) or "Broker CRM"

    @cache
    def unread_count() -> int:
        if not is_client:
            return 0
        return message_unread_count(user=user)

    @cache
    def languages() -> list[tuple[str, str]]:
        # The languages the company offers (all of them until staff configure any).
        offered = list(portal_languages_enabled().values_list("code", flat=True))
        return [(code, name) for code, name in Language.choices if not offered or code in offered]

    return {
        "portal_company_name": company_name,
        "portal_languages": languages,
        "portal_language": request_language(),
        "portal_is_client": is_client,
        "portal_unread_count": unread_count,
    }
