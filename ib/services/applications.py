"""Applying to become an IB: a client asks from the portal, staff approve (a promotion) or reject."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.errors import ApplicationError, Conflict, NotFound
from crm.users.models import User
from ib.errors import IbErrorCode
from ib.models import IbApplication, IbProfile
from ib.services.network import ib_promote

MESSAGE_MAX_LENGTH = 2000


def _pending_already() -> Conflict:
    return Conflict(
        code=IbErrorCode.APPLICATION_PENDING,
        message=_("Your application to become an IB is already waiting for review."),
    )


@transaction.atomic
def ib_application_submit(*, user: User, message: str = "") -> IbApplication:
    """A client applies to become an IB. One pending application at a time (409); IBs and staff
    cannot apply (409)."""
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            code="invalid_input",
            message=_("Some fields are missing or invalid."),
            fields={"message": [_("At most %(count)d characters.") % {"count": MESSAGE_MAX_LENGTH}]},
        )
    if user.is_staff:
        raise Conflict(code=IbErrorCode.STAFF_CANNOT_BE_IB, message=_("Staff accounts cannot become IBs."))
    if user.is_ib or IbProfile.objects.filter(user=user).exists():
        raise Conflict(code=IbErrorCode.ALREADY_AN_IB, message=_("You are already an IB."))
    if IbApplication.objects.filter(user=user, status=IbApplication.Status.PENDING).exists():
        raise _pending_already()
    try:
        with transaction.atomic():
            application = IbApplication.objects.create(user=user, message=message)
    except IntegrityError:  # a concurrent submission won (one pending per user)
        raise _pending_already() from None
    audit_record(actor=user, action="ib.application_submitted", target=application, data={"message": message})
    return application


def _pending_application(application_id: int) -> IbApplication:
    application = IbApplication.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound(code=IbErrorCode.APPLICATION_NOT_FOUND, message=_("No such IB application."))
    if application.status != IbApplication.Status.PENDING:
        raise Conflict(
            code=IbErrorCode.APPLICATION_NOT_PENDING, message=_("This application has already been decided.")
        )
    return application


@transaction.atomic
def ib_application_approve(
    *, application_id: int, approved_by: User, parent_id: int | None = None, plan_id: int | None = None
) -> IbProfile:
    """Approve: the applicant becomes an IB under `parent_id` with `plan_id` (see `ib_promote`)."""
    application = _pending_application(application_id)
    profile = ib_promote(user_id=application.user_id, parent_id=parent_id, plan_id=plan_id, promoted_by=approved_by)
    application.status = IbApplication.Status.APPROVED
    application.decided_by, application.decided_at = approved_by, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=approved_by,
        action="ib.application_approved",
        target=application,
        data={"ib_id": profile.pk, "parent_id": parent_id, "plan_id": plan_id},
    )
    return profile


@transaction.atomic
def ib_application_reject(*, application_id: int, rejected_by: User, reason: str) -> IbApplication:
    """Reject, with the reason the client is shown (400 `reason_required` without one)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            code=IbErrorCode.REASON_REQUIRED,
            message=_("Say why the application is rejected."),
            fields={"reason": [_("This field is required.")]},
        )
    application = _pending_application(application_id)
    application.status = IbApplication.Status.REJECTED
    application.reason = reason
    application.decided_by, application.decided_at = rejected_by, timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=rejected_by, action="ib.application_rejected", target=application, reason=reason)
    return application
