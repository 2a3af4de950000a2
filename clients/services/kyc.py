"""The KYC application: saving modules, sending it for review, and the staff's decision.

States of the application (`ClientProfile.kyc_status`) and of each module:

    filling ──kyc_submit──▶ pending ──kyc_approve──▶ approved
       ▲                       └────kyc_reject───▶ disapproved ──(client edits, kyc_submit)──▶ pending

The client edits while `filling` or `disapproved`; every transition locks the profile first and is
refused (409) from any other state. A passed e-verification may approve without staff review
(`ClientSettings.e_verify_approves_kyc`), with `kyc_way` `e_verify`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.errors import ClientError, ClientErrorCode, invalid_input
from clients.kyc_fields import module_data_clean, module_fields
from clients.models import (
    ClientProfile,
    KycModule,
    KycModuleSubmission,
    KycStatus,
    KycWay,
    RegistrationTemplate,
)
from clients.selectors import (
    client_settings_get,
    kyc_not_editable,
    kyc_submissions_of,
    module_is_complete,
    registration_template_required,
    template_module,
)
from clients.services.notifications import kyc_decision_notify
from clients.services.questionnaires import (
    questionnaire_answers_check,
    questionnaire_enabled,
    questionnaire_record_create,
)
from crm.audit.services import audit_record
from crm.errors import Conflict
from crm.users.models import User

ALL_MODULES = "all"


def profile_locked(profile: ClientProfile) -> ClientProfile:
    """The profile's row, locked for this transaction (always the first lock a KYC change takes)."""
    return ClientProfile.objects.select_for_update(of=("self",)).select_related("user").get(pk=profile.pk)


# --- Checking what the client sends ---------------------------------------------------------


def _kyc_data_clean(*, profile: ClientProfile, template: RegistrationTemplate, kyc_data: Any) -> dict[str, Any]:
    """`{module: values}` ready to store; 400 with every error as `kyc_data.<module>.<field>` otherwise.
    The questionnaire module's values are `(questionnaire, answers as recorded, score)`."""
    if not isinstance(kyc_data, dict):
        raise invalid_input({"kyc_data": [_('Give the data as {"<module>": {"<field>": value}}.')]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for module, data in kyc_data.items():
        key = f"kyc_data.{module}"
        if module not in KycModule.values:
            errors[key] = [_("Unknown module.")]
            continue
        row = template_module(template, module)
        if row is None:
            errors[key] = [_("Your registration template has no such module.")]
        elif module == KycModule.E_VERIFY:
            errors[key] = [_("This module is completed by electronic verification (client.e_verify.create_session).")]
        elif module == KycModule.QUESTIONNAIRE:
            try:
                cleaned[module] = _questionnaire_clean(template=template, data=data, prefix=key)
            except ClientError as error:
                errors.update(error.fields)
        else:
            values, field_errors = module_data_clean(fields=module_fields(row), data=data, owner=profile.user)
            for name, messages in field_errors.items():
                errors[f"{key}.{name}" if name else key] = messages
            cleaned[module] = values
    if errors:
        raise invalid_input(errors)
    return cleaned


def _questionnaire_clean(*, template: RegistrationTemplate, data: Any, prefix: str) -> tuple:
    if not isinstance(data, dict):
        raise invalid_input({prefix: [_('Give {"questionnaire_id": …, "answers": [...]}.')]})
    questionnaire_id = data.get("questionnaire_id", template.questionnaire_id)
    if template.questionnaire_id is None or questionnaire_id != template.questionnaire_id:
        raise invalid_input({f"{prefix}.questionnaire_id": [_("Answer your registration template's questionnaire.")]})
    questionnaire = questionnaire_enabled(questionnaire_id=questionnaire_id)
    recorded, score = questionnaire_answers_check(
        questionnaire=questionnaire, answers=data.get("answers"), prefix=f"{prefix}.answers"
    )
    return questionnaire, recorded, score


def _store(*, profile: ClientProfile, template: RegistrationTemplate, cleaned: dict[str, Any]) -> None:
    for module, values in cleaned.items():
        if module == KycModule.QUESTIONNAIRE:
            questionnaire, recorded, score = values
            questionnaire_record_create(
                profile=profile, questionnaire=questionnaire, recorded=recorded, score=score, for_kyc=True
            )
        else:
            KycModuleSubmission.objects.update_or_create(
                profile=profile, module=module, defaults={"data": values, "status": KycStatus.FILLING}
            )
    if profile.registration_template_id is None:
        profile.registration_template = template
        profile.save(update_fields=["registration_template", "updated_at"])


# --- The client's side ------------------------------------------------------------------------


@transaction.atomic
def kyc_modules_save(*, profile: ClientProfile, kyc_data: dict) -> ClientProfile:
    """Check and keep the modules in `kyc_data` (`{module: {field: value}}`); they stay `filling`.

    Every field is checked against the client's registration template (required, type, choices,
    length, files the client's own); errors come back together as `kyc_data.<module>.<field>`.
    The questionnaire module takes `{"questionnaire_id": …, "answers": [...]}` (as
    client.questionnaire.save_answers). 409 `kyc_not_editable` while the application is reviewed or
    once it is approved."""
    profile = profile_locked(profile)
    if not profile.is_editable:
        raise kyc_not_editable(profile)
    template = registration_template_required(profile=profile)
    cleaned = _kyc_data_clean(profile=profile, template=template, kyc_data=kyc_data)
    _store(profile=profile, template=template, cleaned=cleaned)
    audit_record(actor=profile.user, action="kyc.saved", target=profile, data={"modules": sorted(cleaned)})
    return profile


@transaction.atomic
def kyc_module_save(*, profile: ClientProfile, module: str, data: dict) -> ClientProfile:
    """Check and keep one module's data (see `kyc_modules_save`)."""
    return kyc_modules_save(profile=profile, kyc_data={module: data})


@transaction.atomic
def kyc_data_save(*, profile: ClientProfile, current_module: str, kyc_data: dict) -> ClientProfile:
    """client.user.save_kyc_data: keep the modules sent (the current one among them), or with
    `current_module="all"` keep them and send the whole application for review."""
    if current_module == ALL_MODULES:
        return kyc_submit(profile=profile, kyc_data=kyc_data)
    if not isinstance(kyc_data, dict) or current_module not in kyc_data:
        raise invalid_input({f"kyc_data.{current_module}": [_("Give the data of the current module.")]})
    return kyc_modules_save(profile=profile, kyc_data=kyc_data)


def _missing_modules(*, template: RegistrationTemplate, submissions: dict[str, KycModuleSubmission]) -> list[str]:
    return [
        row.module
        for row in template.modules.all()
        if row.is_required and not module_is_complete(submissions.get(row.module))
    ]


def _submit_locked(*, profile: ClientProfile, template: RegistrationTemplate, actor: User | None) -> ClientProfile:
    """Send the application of a locked, editable profile. Every check comes before the first write, so
    a refusal leaves the transaction usable."""
    submissions = kyc_submissions_of(profile=profile)
    errors: dict[str, list[str]] = {}
    for row in template.modules.all():
        submission = submissions.get(row.module)
        if row.has_fields and submission is not None:
            # The template may have changed since the module was saved.
            _values, field_errors = module_data_clean(
                fields=module_fields(row), data=submission.data, owner=profile.user
            )
            for name, messages in field_errors.items():
                errors[f"kyc_data.{row.module}.{name}" if name else f"kyc_data.{row.module}"] = messages
    if errors:
        raise invalid_input(errors)
    missing = _missing_modules(template=template, submissions=submissions)
    if missing:
        raise Conflict(
            code=ClientErrorCode.KYC_INCOMPLETE,
            message=_("Fill in every required module first: %(modules)s.")
            % {"modules": ", ".join(str(KycModule(module).label) for module in missing)},
            extra={"missing_modules": missing},
        )

    now = timezone.now()
    in_template = [row.module for row in template.modules.all()]
    # The e_verify module's status is the provider's verdict; sending the application does not touch it.
    KycModuleSubmission.objects.filter(profile=profile, module__in=in_template).exclude(
        module=KycModule.E_VERIFY
    ).update(status=KycStatus.PENDING, submitted_at=now, reason="", reviewed_by=None, reviewed_at=None)
    profile.kyc_status = KycStatus.PENDING
    profile.kyc_submitted_at = now
    profile.kyc_reason = ""
    profile.reviewed_by, profile.reviewed_at = None, None
    profile.registration_template = template
    profile.save(
        update_fields=[
            "kyc_status",
            "kyc_submitted_at",
            "kyc_reason",
            "reviewed_by",
            "reviewed_at",
            "registration_template",
            "updated_at",
        ]
    )
    audit_record(actor=actor, action="kyc.submitted", target=profile, data={"modules": in_template})

    e_verified = submissions.get(KycModule.E_VERIFY)
    if (
        e_verified is not None
        and e_verified.status == KycStatus.APPROVED
        and client_settings_get().e_verify_approves_kyc
    ):
        _approve_locked(profile=profile, by=None, way=KycWay.E_VERIFY)
    return profile


@transaction.atomic
def kyc_submit(*, profile: ClientProfile, kyc_data: dict | None = None) -> ClientProfile:
    """Keep `kyc_data` (if any), then send the whole application for review (`pending`).

    400 `invalid_input` when saved data no longer fits the template; 409 `kyc_incomplete` (with
    `missing_modules`) when a required module is not filled in (e_verify: not passed); 409
    `kyc_not_editable` when already pending or approved. With a passed e-verification and the
    company's rule, the application is approved at once."""
    profile = profile_locked(profile)
    if not profile.is_editable:
        raise kyc_not_editable(profile)
    template = registration_template_required(profile=profile)
    if kyc_data:
        cleaned = _kyc_data_clean(profile=profile, template=template, kyc_data=kyc_data)
        _store(profile=profile, template=template, cleaned=cleaned)
    elif kyc_data is not None and not isinstance(kyc_data, dict):
        raise invalid_input({"kyc_data": [_('Give the data as {"<module>": {"<field>": value}}.')]})
    return _submit_locked(profile=profile, template=template, actor=profile.user)


# --- The staff's decision -----------------------------------------------------------------------


def _not_pending(profile: ClientProfile) -> Conflict:
    return Conflict(
        code=ClientErrorCode.KYC_NOT_PENDING,
        message=_("This application is not waiting for review (it is %(status)s).")
        % {"status": KycStatus(profile.kyc_status).label},
    )


def _approve_locked(*, profile: ClientProfile, by: User | None, way: str) -> ClientProfile:
    now = timezone.now()
    profile.kyc_status = KycStatus.APPROVED
    profile.kyc_way = way
    profile.kyc_approved_at = now
    profile.kyc_reason = ""
    profile.reviewed_by, profile.reviewed_at = by, now
    profile.save(
        update_fields=[
            "kyc_status",
            "kyc_way",
            "kyc_approved_at",
            "kyc_reason",
            "reviewed_by",
            "reviewed_at",
            "updated_at",
        ]
    )
    KycModuleSubmission.objects.filter(profile=profile, status=KycStatus.PENDING).update(
        status=KycStatus.APPROVED, reviewed_by=by, reviewed_at=now
    )
    audit_record(actor=by, action="kyc.approved", target=profile, data={"kyc_way": way})
    kyc_decision_notify(profile=profile, decision=KycStatus.APPROVED, reason="", by=by)
    return profile


@transaction.atomic
def kyc_approve(*, profile: ClientProfile, by: User) -> ClientProfile:
    """Staff approve a pending application (409 `kyc_not_pending` otherwise); the client is told by
    e-mail and in the message centre."""
    profile = profile_locked(profile)
    if profile.kyc_status != KycStatus.PENDING:
        raise _not_pending(profile)
    return _approve_locked(profile=profile, by=by, way=KycWay.MANUAL)


@transaction.atomic
def kyc_reject(*, profile: ClientProfile, by: User, reason: str) -> ClientProfile:
    """Staff disapprove a pending application with a reason the client sees (400 without one, 409
    `kyc_not_pending` from another state). The client may correct it and send it again."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Tell the client why.")]})
    profile = profile_locked(profile)
    if profile.kyc_status != KycStatus.PENDING:
        raise _not_pending(profile)
    now = timezone.now()
    profile.kyc_status = KycStatus.DISAPPROVED
    profile.kyc_reason = reason
    profile.reviewed_by, profile.reviewed_at = by, now
    profile.save(update_fields=["kyc_status", "kyc_reason", "reviewed_by", "reviewed_at", "updated_at"])
    KycModuleSubmission.objects.filter(profile=profile, status=KycStatus.PENDING).update(
        status=KycStatus.DISAPPROVED, reason=reason, reviewed_by=by, reviewed_at=now
    )
    audit_record(actor=by, action="kyc.disapproved", target=profile, reason=reason)
    kyc_decision_notify(profile=profile, decision=KycStatus.DISAPPROVED, reason=reason, by=by)
    return profile


def kyc_e_verify_passed(*, profile: ClientProfile) -> ClientProfile:
    """After a passed e-verification (the caller holds the profile's lock and has marked the module
    approved): with the company's rule, approve a pending application, or send and approve one whose
    required modules are all filled in. Otherwise the client sends it as usual."""
    if not client_settings_get().e_verify_approves_kyc:
        return profile
    if profile.kyc_status == KycStatus.PENDING:
        return _approve_locked(profile=profile, by=None, way=KycWay.E_VERIFY)
    if not profile.is_editable:
        return profile
    template = registration_template_required(profile=profile)
    try:
        return _submit_locked(profile=profile, template=template, actor=None)
    except (ClientError, Conflict):
        return profile  # not complete yet: approved when the client sends it
