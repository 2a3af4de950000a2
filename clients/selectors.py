"""Reads of client profiles, KYC, templates, questionnaires and e-verification, for every surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.errors import ClientError, ClientErrorCode
from clients.kyc_fields import FieldSpec, module_fields
from clients.models import (
    ClientProfile,
    ClientSettings,
    EVerifySession,
    KycField,
    KycModule,
    KycModuleSubmission,
    KycStatus,
    LiveAccountRule,
    QuestionnaireAnswerRecord,
    QuestionnaireQuestion,
    RegistrationModule,
    RegistrationTemplate,
)
from crm.configuration.cache import REGISTRATION_TEMPLATES, public_setting_cached
from crm.configuration.selectors import singleton_get
from crm.errors import Forbidden, NotFound
from crm.files.models import StoredFile
from crm.users.models import User

# --- Settings and profiles ------------------------------------------------------------


def client_settings_get() -> ClientSettings:
    """The company's client rules; their defaults until staff save them."""
    return singleton_get(ClientSettings)


def client_profile_of(*, user: User) -> ClientProfile:
    """The client profile of `user`, created (empty, `filling`) when the user has none yet: users
    made outside registration (the back office, demo data, the portal's Google sign-in) get one on
    first use. Staff have none: 403 `not_a_client`."""
    if user.role == User.Role.STAFF:
        raise Forbidden(code=ClientErrorCode.NOT_A_CLIENT, message=_("Only clients and IBs have a client profile."))
    profile = ClientProfile.objects.select_related("user", "registration_template").filter(user=user).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            profile = ClientProfile.objects.create(user=user)
    except IntegrityError:  # made by a concurrent request
        profile = ClientProfile.objects.get(user=user)
    profile.user = user
    return profile


def _kyc_status_of(user: User) -> str:
    status = ClientProfile.objects.filter(user=user).values_list("kyc_status", flat=True).first()
    return status or KycStatus.FILLING


def live_account_allowed(*, user: User) -> bool:
    """Whether `user` may open a live trading account under the company's KYC rule."""
    if not user.is_active or user.role == User.Role.STAFF:
        return False
    rule = client_settings_get().live_account_requires
    if rule == LiveAccountRule.NONE:
        return True
    status = _kyc_status_of(user)
    if rule == LiveAccountRule.KYC_SUBMITTED:
        return status in (KycStatus.PENDING, KycStatus.APPROVED)
    return status == KycStatus.APPROVED


def demo_account_allowed(*, user: User) -> bool:
    """Whether `user` may open a demo account (the company may turn demo accounts off)."""
    return user.is_active and user.role != User.Role.STAFF and client_settings_get().demo_accounts_enabled


def clients_for_review() -> QuerySet[ClientProfile]:
    """The back office's KYC queue: profiles with their users, longest waiting first."""
    return ClientProfile.objects.select_related("user", "reviewed_by", "registration_template").order_by(
        "kyc_submitted_at", "id"
    )


# --- Registration templates -----------------------------------------------------------


def _templates() -> QuerySet[RegistrationTemplate]:
    return RegistrationTemplate.objects.select_related("questionnaire").prefetch_related(
        Prefetch("modules", queryset=RegistrationModule.objects.prefetch_related("fields")),
        "agreements",
        Prefetch("questionnaire__questions", queryset=QuestionnaireQuestion.objects.order_by("position", "id")),
    )


@dataclass(frozen=True)
class RegistrationTemplates:
    """Every template with its modules, fields, agreements and questions, and how a client finds theirs."""

    by_id: dict[int, RegistrationTemplate]
    id_by_country: dict[int, int]
    default_id: int | None


def _registration_templates_load() -> RegistrationTemplates:
    templates = list(_templates())
    return RegistrationTemplates(
        by_id={template.pk: template for template in templates},
        id_by_country={template.country_id: template.pk for template in templates if template.country_id},
        default_id=next((template.pk for template in templates if template.is_default), None),
    )


def registration_templates() -> RegistrationTemplates:
    """The templates from the cache: configuration that every KYC screen reads, that staff change rarely.

    Saving or deleting a template or anything in it forgets the cache (`clients.apps`), as public
    settings are forgotten (`crm.configuration.cache`)."""
    return public_setting_cached(REGISTRATION_TEMPLATES, _registration_templates_load)


def registration_template_for(*, profile: ClientProfile) -> RegistrationTemplate | None:
    """The template of `profile`: the one it started with, else its country's, else the default."""
    templates = registration_templates()
    for template_id in (
        profile.registration_template_id,
        templates.id_by_country.get(profile.user.country_id or 0),
        templates.default_id,
    ):
        if template_id in templates.by_id:
            return templates.by_id[template_id]
    return None


def registration_template_required(*, profile: ClientProfile) -> RegistrationTemplate:
    template = registration_template_for(profile=profile)
    if template is None:
        raise NotFound(
            code=ClientErrorCode.REGISTRATION_TEMPLATE_NOT_FOUND,
            message=_("Registration is not set up yet; contact support."),
        )
    return template


def template_module(template: RegistrationTemplate, module: str) -> RegistrationModule | None:
    return next((row for row in template.modules.all() if row.module == module), None)


# --- A client's KYC -------------------------------------------------------------------


def kyc_submissions_of(*, profile: ClientProfile) -> dict[str, KycModuleSubmission]:
    return {row.module: row for row in KycModuleSubmission.objects.filter(profile=profile)}


def module_is_complete(submission: KycModuleSubmission | None) -> bool:
    """Whether a module counts as filled in: saved, and for e-verification, passed."""
    if submission is None:
        return False
    if submission.module == KycModule.E_VERIFY:
        return submission.status == KycStatus.APPROVED
    return True


def apply_status_of(profile: ClientProfile) -> str:
    """Whether the client can still edit and send the application: `filling` (never sent, or sent back
    after a disapproval), `pending` (under review), `approved`."""
    return KycStatus.FILLING if profile.kyc_status == KycStatus.DISAPPROVED else profile.kyc_status


@dataclass(frozen=True)
class KycOverview:
    profile: ClientProfile
    template: RegistrationTemplate | None
    submissions: dict[str, KycModuleSubmission]
    files: dict[int, StoredFile]

    def module_status(self, module: str) -> str:
        submission = self.submissions.get(module)
        return submission.status if submission is not None else KycStatus.FILLING

    @property
    def modules(self) -> list[str]:
        """The template's modules in order; without a template, those the client has data for."""
        if self.template is not None:
            return [row.module for row in self.template.modules.all()]
        return [module for module in KycModule.values if module in self.submissions]

    @property
    def completed_modules(self) -> list[str]:
        return [module for module in self.modules if module_is_complete(self.submissions.get(module))]


def kyc_overview(*, profile: ClientProfile) -> KycOverview:
    """Everything the client's KYC screens show, read in a fixed number of queries."""
    submissions = kyc_submissions_of(profile=profile)
    template = registration_template_for(profile=profile)
    file_ids = {file_id for _field, file_id in _file_references(template, submissions)}
    files = StoredFile.objects.filter(pk__in=file_ids, owner_id=profile.user_id).in_bulk() if file_ids else {}
    return KycOverview(profile=profile, template=template, submissions=submissions, files=files)


def _file_kinds(template: RegistrationTemplate | None) -> dict[str, set[str]]:
    """Per module, the names of its file fields."""
    if template is None:
        return {}
    return {
        row.module: {spec.name for spec in module_fields(row) if spec.kind == KycField.Kind.FILE}
        for row in template.modules.all()
    }


def _file_references(
    template: RegistrationTemplate | None, submissions: dict[str, KycModuleSubmission]
) -> list[tuple[tuple[str, str], int]]:
    file_fields = _file_kinds(template)
    references = []
    for module, submission in submissions.items():
        for name in file_fields.get(module, ()):
            value = submission.data.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                references.append(((module, name), value))
    return references


@dataclass(frozen=True)
class KycDocument:
    module: str
    field: FieldSpec | None
    stored_file: StoredFile


def kyc_documents_of(*, profile: ClientProfile) -> list[KycDocument]:
    """The files the client handed in, by module and field, in the template's order."""
    overview = kyc_overview(profile=profile)
    specs: dict[tuple[str, str], FieldSpec] = {}
    if overview.template is not None:
        for row in overview.template.modules.all():
            for spec in module_fields(row):
                specs[(row.module, spec.name)] = spec
    documents = []
    for (module, name), file_id in _file_references(overview.template, overview.submissions):
        stored_file = overview.files.get(file_id)
        if stored_file is not None:
            documents.append(KycDocument(module=module, field=specs.get((module, name)), stored_file=stored_file))
    return documents


def kyc_data_for_display(overview: KycOverview, *, file_value) -> dict[str, dict[str, Any]]:
    """`{module: {field: value}}` with each file field's id replaced by `file_value(stored_file)`."""
    file_fields = _file_kinds(overview.template)
    data: dict[str, dict[str, Any]] = {}
    for module, submission in overview.submissions.items():
        values = dict(submission.data)
        for name in file_fields.get(module, ()):
            file_id = values.get(name)
            stored_file = overview.files.get(file_id) if isinstance(file_id, int) else None
            values[name] = file_value(stored_file) if stored_file is not None else None
        data[module] = values
    return data


# --- Questionnaires -------------------------------------------------------------------


def questionnaire_answer_record_of(*, profile: ClientProfile, record_id: int) -> QuestionnaireAnswerRecord:
    """One of the client's own answer records; anyone else's is 404 like an unknown one."""
    record = (
        QuestionnaireAnswerRecord.objects.select_related("questionnaire").filter(pk=record_id, profile=profile).first()
    )
    if record is None:
        raise NotFound(
            code=ClientErrorCode.QUESTIONNAIRE_ANSWERS_NOT_FOUND, message=_("These questionnaire answers do not exist.")
        )
    return record


# --- E-verification -------------------------------------------------------------------


def e_verify_session_of(*, profile: ClientProfile, session_id: str) -> EVerifySession:
    """One of the client's own sessions; anyone else's is 404 like an unknown one."""
    session = EVerifySession.objects.filter(session_id=session_id, profile=profile).first()
    if session is None:
        raise e_verify_session_not_found()
    return session


def e_verify_session_not_found() -> NotFound:
    return NotFound(
        code=ClientErrorCode.E_VERIFY_SESSION_NOT_FOUND, message=_("This verification session does not exist.")
    )


def e_verify_status_of(session: EVerifySession) -> str:
    """The session's status as of now: a pending session past its expiry reads `expired` before any
    request marks it so."""
    if session.status == EVerifySession.Status.PENDING and session.expire_at <= timezone.now():
        return EVerifySession.Status.EXPIRED
    return session.status


def kyc_not_editable(profile: ClientProfile) -> ClientError:
    message = (
        _("Your application is under review; it cannot be changed now.")
        if profile.kyc_status == KycStatus.PENDING
        else _("Your application is approved; it cannot be changed.")
    )
    return ClientError(code=ClientErrorCode.KYC_NOT_EDITABLE, message=message, status=409)
