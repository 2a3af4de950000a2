"""Electronic identity verification: opening a session, and applying the provider's verdict."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.errors import ClientErrorCode
from clients.everify.providers import VerificationResult, provider_for
from clients.models import ClientProfile, EVerifySession, KycModule, KycModuleSubmission, KycStatus
from clients.selectors import (
    client_settings_get,
    e_verify_session_not_found,
    kyc_not_editable,
    registration_template_required,
    template_module,
)
from clients.services.kyc import kyc_e_verify_passed, profile_locked
from crm.audit.services import audit_record
from crm.errors import Conflict

Status = EVerifySession.Status


def _expire_stale(*, profile: ClientProfile, now) -> None:
    EVerifySession.objects.filter(profile=profile, status=Status.PENDING, expire_at__lte=now).update(
        status=Status.EXPIRED,
        completed_at=now,
        reason_code="session_expired",
        reason_msg=_("The session expired before the verification was finished."),
    )


@transaction.atomic
def e_verify_session_create(*, profile: ClientProfile, success_url: str, failed_url: str) -> EVerifySession:
    """Open a verification session with the company's provider; the client is sent to its
    `redirect_url` and comes back to `success_url` or `failed_url`.

    Refused (409): `kyc_not_editable` (already approved), `e_verify_not_available` (the client's
    template has no e_verify module), `e_verify_already_approved`, `e_verify_session_active` (with
    `session_id`; one live session at a time), `e_verify_attempts_exhausted`."""
    profile = profile_locked(profile)
    if profile.kyc_status == KycStatus.APPROVED:
        raise kyc_not_editable(profile)
    template = registration_template_required(profile=profile)
    if template_module(template, KycModule.E_VERIFY) is None:
        raise Conflict(
            code=ClientErrorCode.E_VERIFY_NOT_AVAILABLE,
            message=_("Electronic verification is not offered for your registration."),
        )
    if KycModuleSubmission.objects.filter(
        profile=profile, module=KycModule.E_VERIFY, status=KycStatus.APPROVED
    ).exists():
        raise Conflict(code=ClientErrorCode.E_VERIFY_ALREADY_APPROVED, message=_("You are already verified."))
    now = timezone.now()
    _expire_stale(profile=profile, now=now)
    live = EVerifySession.objects.filter(profile=profile, status=Status.PENDING).first()
    if live is not None:
        raise Conflict(
            code=ClientErrorCode.E_VERIFY_SESSION_ACTIVE,
            message=_("A verification session is already open; finish it or wait until it expires."),
            extra={"session_id": live.session_id},
        )
    rules = client_settings_get()
    used = EVerifySession.objects.filter(profile=profile).count()
    if used >= rules.e_verify_max_attempts:
        raise Conflict(
            code=ClientErrorCode.E_VERIFY_ATTEMPTS_EXHAUSTED,
            message=_("You have used every verification attempt; send your documents for review instead."),
        )
    provider = provider_for(rules.e_verify_provider)
    session = EVerifySession(
        profile=profile,
        provider=provider.name,
        session_id=secrets.token_urlsafe(24),
        status=Status.PENDING,
        attempt_times=used + 1,
        retry_times=rules.e_verify_max_attempts - used - 1,
        success_url=success_url,
        failed_url=failed_url,
        expire_at=now + timedelta(minutes=rules.e_verify_session_minutes),
    )
    started = provider.create_session(session=session)
    session.redirect_url, session.external_reference = started.redirect_url, started.external_reference
    session.save()
    audit_record(
        actor=profile.user,
        action="e_verify.session_created",
        target=session,
        data={"provider": provider.name, "attempt": session.attempt_times},
    )
    return session


@transaction.atomic
def e_verify_result_apply(*, provider_name: str, result: VerificationResult) -> EVerifySession:
    """Apply a provider's verdict to its session. Idempotent: the first verdict stands, and a repeated
    or late one changes nothing. A verdict after the session expired marks it expired.

    A pass approves the e_verify module and, under the company's rule, the application (see
    `kyc_e_verify_passed`); a decline records the provider's reason."""
    found = EVerifySession.objects.filter(session_id=result.session_id, provider=provider_name).first()
    if found is None:
        raise e_verify_session_not_found()
    profile = profile_locked(found.profile)  # the profile first, as every KYC change does
    session = EVerifySession.objects.select_for_update().get(pk=found.pk)
    if session.status != Status.PENDING:
        return session
    now = timezone.now()
    if session.expire_at <= now:
        _expire_stale(profile=profile, now=now)
        session.refresh_from_db()
        audit_record(actor=None, action="e_verify.expired", target=session)
        return session

    session.status = result.outcome
    session.reason_code, session.reason_msg = result.reason_code[:64], result.reason_msg[:500]
    session.external_reference = result.external_reference or session.external_reference
    session.completed_at = now
    session.save(update_fields=["status", "reason_code", "reason_msg", "external_reference", "completed_at"])
    data = {
        "session_id": session.session_id,
        "provider": session.provider,
        "external_reference": session.external_reference,
    }
    submission = KycModuleSubmission.objects.filter(profile=profile, module=KycModule.E_VERIFY).first()
    if result.outcome == Status.APPROVED:
        KycModuleSubmission.objects.update_or_create(
            profile=profile,
            module=KycModule.E_VERIFY,
            defaults={
                "data": data,
                "status": KycStatus.APPROVED,
                "reason": "",
                "reviewed_by": None,
                "reviewed_at": now,
            },
        )
        audit_record(actor=None, action="e_verify.approved", target=session, data={"provider": session.provider})
        kyc_e_verify_passed(profile=profile)
    else:
        if submission is None or submission.status != KycStatus.APPROVED:
            KycModuleSubmission.objects.update_or_create(
                profile=profile,
                module=KycModule.E_VERIFY,
                defaults={"data": data, "status": KycStatus.DISAPPROVED, "reason": session.reason_msg},
            )
        audit_record(
            actor=None,
            action="e_verify.declined",
            target=session,
            reason=session.reason_msg,
            data={"reason_code": session.reason_code},
        )
    return session
