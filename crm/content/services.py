"""Writes of the content app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from crm.content.errors import ContentError
from crm.content.models import Popup, PopupDismissal
from crm.users.models import User


@transaction.atomic
def popup_dismiss(*, user: User, popup_ids: Iterable[int]) -> None:
    """Never show these popups to `user` again. Idempotent; refused whole if any id is unknown."""
    wanted = set(popup_ids)
    known = set(Popup.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    unknown = sorted(wanted - known)
    if unknown:
        raise ContentError(
            code="popup_not_found",
            message=_("Unknown popups: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
            fields={"ids": [_("No popup has the id %(id)s.") % {"id": popup_id} for popup_id in unknown]},
        )
    # The unique (user, popup) constraint makes a repeated dismissal a no-op, even when concurrent.
    PopupDismissal.objects.bulk_create(
        [PopupDismissal(user=user, popup_id=popup_id) for popup_id in sorted(known)], ignore_conflicts=True
    )
