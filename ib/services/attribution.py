"""Which IB a client belongs to, and since when: from the invite code at sign-up, or by staff.

A client's attributions are periods [effective_from, effective_to); the open one is their IB now.
The commission engine pays a deal to the IB of the period its close time falls in, so a change is
never a rewrite: staff close the open period and open the next, and may not start the new one
before a deal that already has commission lines (those lines are never rewritten).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.errors import ApplicationError, Conflict, NotFound
from crm.users.models import User
from ib.errors import IbErrorCode
from ib.models import ClientAttribution, CommissionLine, CommissionRunState, IbProfile
from ib.selectors import ib_by_referral_code
from ib.services.network import ib_not_found


def attribution_from_invite_code(*, client: User) -> ClientAttribution | None:
    """`settings.CLIENT_REGISTERED_HOOK`: a client just registered (API, portal or Google sign-up).

    When their profile's invite code is some IB's referral code (case-insensitive), they belong to
    that IB from their registration time. An unknown code, no code, or the IB's own code gives no
    attribution, and the registration goes on. Runs inside the registration's transaction.
    """
    profile = getattr(client, "client_profile", None)
    ib = ib_by_referral_code(profile.invite_code if profile is not None else "")
    if ib is None or ib.user_id == client.pk:
        return None
    if ClientAttribution.objects.filter(client=client, effective_to__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            attribution = ClientAttribution.objects.create(
                client=client, ib=ib, effective_from=client.date_joined, source="invite_code"
            )
    except IntegrityError:  # attributed by a concurrent call meanwhile: theirs stands
        return None
    audit_record(
        actor=client,
        action="ib.client_attributed",
        target=attribution,
        data={"ib_id": ib.pk, "referral_code": ib.referral_code},
    )
    return attribution


def _earliest_allowed(client_id: int) -> datetime | None:
    """The close time of the client's last deal that already has commission lines, if any."""
    return CommissionLine.objects.filter(client_id=client_id).aggregate(last=Max("deal__close_time"))["last"]


@transaction.atomic
def attribution_reassign(
    *, client_id: int, ib_id: int, effective_from: datetime, reassigned_by: User, reason: str
) -> ClientAttribution:
    """Staff move a client to another IB from `effective_from` on (audited, with the reason).

    Refused: no reason (400); a time in the future (400); the client's current IB again, or the
    IB's own user (409); a time not after the client's last deal that already has commission lines,
    or not after the start of the current period (409 `attribution_effective_from_too_early`, with
    `earliest`). Waits for a commission run in progress, so none computes lines in between.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            code=IbErrorCode.REASON_REQUIRED,
            message=_("Say why the client is reassigned."),
            fields={"reason": [_("This field is required.")]},
        )
    if effective_from > timezone.now():
        raise ApplicationError(
            code=IbErrorCode.ATTRIBUTION_IN_FUTURE,
            message=_("A reassignment cannot start in the future."),
            fields={"effective_from": [_("Choose a time up to now.")]},
        )
    CommissionRunState.objects.select_for_update().order_by("pk").first()
    client = User.objects.select_for_update().filter(pk=client_id).first()
    if client is None:
        raise NotFound(code=IbErrorCode.USER_NOT_FOUND, message=_("No such user."))
    if client.is_staff:
        raise Conflict(code=IbErrorCode.CLIENT_IS_STAFF, message=_("Staff accounts are nobody's clients."))
    ib = IbProfile.objects.filter(pk=ib_id).first()
    if ib is None:
        raise ib_not_found()
    if ib.user_id == client.pk:
        raise Conflict(code=IbErrorCode.SELF_ATTRIBUTION, message=_("An IB cannot be attributed to itself."))
    current = ClientAttribution.objects.select_for_update().filter(client=client, effective_to__isnull=True).first()
    if current is not None and current.ib_id == ib.pk:
        raise Conflict(code=IbErrorCode.ATTRIBUTION_UNCHANGED, message=_("The client already belongs to this IB."))
    bounds = [time for time in (_earliest_allowed(client.pk), current and current.effective_from) if time]
    earliest = max(bounds) if bounds else None
    if earliest is not None and effective_from <= earliest:
        raise Conflict(
            code=IbErrorCode.ATTRIBUTION_TOO_EARLY,
            message=_(
                "The new IB can only take over after %(earliest)s: commissions up to then are computed or the "
                "current period starts then."
            )
            % {"earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M:%S")},
            fields={"effective_from": [_("Choose a later time.")]},
            extra={"earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M:%S")},
        )
    if current is not None:
        current.effective_to = effective_from
        current.save(update_fields=["effective_to"])
    attribution = ClientAttribution.objects.create(
        client=client,
        ib=ib,
        effective_from=effective_from,
        source="staff",
        created_by=reassigned_by,
        reason=reason,
    )
    audit_record(
        actor=reassigned_by,
        action="ib.client_reassigned",
        target=attribution,
        reason=reason,
        data={
            "client_id": client.pk,
            "from_ib_id": current.ib_id if current is not None else None,
            "to_ib_id": ib.pk,
            "effective_from": effective_from.isoformat(),
        },
    )
    return attribution
