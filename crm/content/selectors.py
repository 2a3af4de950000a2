"""Reads of placements and popups: what a portal shows to whom, now."""

from __future__ import annotations

from datetime import datetime

from crm.content.models import Audience, Placement, Popup, PublishedQuerySet
from crm.users.models import User


def audience_for(user: User | None) -> str:
    """The audience a caller belongs to: IBs see IB content, everyone else (anonymous too) client content."""
    if user is not None and user.is_authenticated and user.is_ib:
        return Audience.IB
    return Audience.CLIENT


def placements_live(*, audience: str, slot: str | None = None, at: datetime | None = None) -> PublishedQuerySet:
    placements = Placement.objects.live(at).for_audience(audience)
    if slot:
        placements = placements.filter(slot=slot)
    return placements.order_by("slot", "position", "id")


def popups_live(*, audience: str, user: User | None = None, at: datetime | None = None) -> PublishedQuerySet:
    """Live popups for `audience`, without those `user` asked not to see again."""
    popups = Popup.objects.live(at).for_audience(audience)
    if user is not None and user.is_authenticated:
        popups = popups.exclude(dismissals__user=user)
    return popups.order_by("position", "id")
