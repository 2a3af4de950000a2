"""Reads of the IB network shared by the API, the IB portal and the admin.

MINIMAL VERSIONS written on branch w-portal so the dashboard and the IB portal can be tested alone:
helper `network` owns this module and its versions replace these at the merge (same names and
signatures, as agreed in the common brief).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from crm.errors import NotFound
from crm.users.models import User
from ib.models import ClientAttribution, IbAncestry, IbProfile


def ib_profile_of(user: User) -> IbProfile:
    """The IB profile of `user` (404 `not_an_ib` when they have none)."""
    profile = IbProfile.objects.select_related("plan", "user").filter(user_id=user.pk).first()
    if profile is None:
        raise NotFound(code="not_an_ib", message=_("You are not an introducing broker."))
    return profile


def clients_visible_to(*, ib: IbProfile) -> QuerySet[User]:
    """The IB's own current clients, plus its downline's when its plan lets it see them."""
    if ib.plan is not None and ib.plan.is_downline_visible:
        ibs = Q(ib_attributions__ib__in=IbAncestry.objects.filter(ancestor=ib).values("ib_id"))
    else:
        ibs = Q(ib_attributions__ib=ib)
    # One current attribution per client (a unique constraint): no duplicates to remove.
    return User.objects.filter(ibs, ib_attributions__effective_to__isnull=True)


def current_ib_of(*, client: User) -> IbProfile | None:
    attribution = (
        ClientAttribution.objects.select_related("ib").filter(client=client, effective_to__isnull=True).first()
    )
    return attribution.ib if attribution else None
