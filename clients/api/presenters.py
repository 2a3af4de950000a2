"""The client's KYC as the API shows it: the registration template (localized) and the client's data.

Serializers describe the shapes (and so the schema); the functions below build the values from the
selectors' reads, in the language of the request.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clients.kyc_fields import FieldSpec, module_fields
from clients.models import (
    EVerifySession,
    KycField,
    KycModule,
    KycStatus,
    KycWay,
    Questionnaire,
    QuestionnaireQuestion,
    RegistrationModule,
)
from clients.selectors import (
    KycOverview,
    apply_status_of,
    client_settings_get,
    kyc_data_for_display,
)
from crm.api.languages import localized, request_language
from crm.files.services import private_url

APPLY_STATUSES = [KycStatus.FILLING, KycStatus.PENDING, KycStatus.APPROVED]
APPLY_STATUS_HELP = (
    "Whether the application can be edited and sent: `filling` (not sent yet, or sent back after a disapproval), "
    "`pending` (under review), `approved`."
)
MODULE_STATUS_HELP = (
    "`filling` (not started or saved, not sent), `pending` (sent, under review), `approved`, `disapproved` "
    "(see `reason`)."
)

# --- Shapes ---------------------------------------------------------------------------------------


class FieldOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="What to send as the field's value.")
    label = serializers.CharField(help_text="Shown to the client, in the request's language.")


class KycFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The field's key in `kyc_data.<module>`.")
    type = serializers.ChoiceField(
        choices=KycField.Kind.choices,
        help_text="What to send: `text`, `phone`, `email` strings; `date` `YYYY-MM-DD`; `select` one option's "
        "`value`; `country` an ISO 3166-1 alpha-2 code (public.settings.list_countries); `checkbox` true/false; "
        "`file` the `url` (or `id`) public.storage.upload_file answered (purpose `kyc_document`).",
    )
    label = serializers.CharField()
    help = serializers.CharField(help_text='A hint under the field; "" when none.')
    required = serializers.BooleanField(help_text="Required checkboxes must be true (an agreement must be accepted).")
    options = FieldOptionSerializer(many=True, help_text="`select` fields only; [] otherwise.")
    max_length = serializers.IntegerField(allow_null=True, help_text="Text-like fields; null for the others.")


class QuestionOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="What to send in `option_ids`.")
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="What to send as `question_id`.")
    text = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=QuestionnaireQuestion.Kind.choices,
        help_text="`single`: exactly one option; `multiple`: any number; `text`: free text in `text`.",
    )
    required = serializers.BooleanField()
    max_length = serializers.IntegerField(help_text="Longest `text` answer.")
    options = QuestionOptionSerializer(many=True, help_text="[] for `text` questions.")


class QuestionnaireSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The `questionnaire_id` to answer with.")
    name = serializers.CharField()
    description = serializers.CharField()
    questions = QuestionSerializer(many=True)


class ModuleSectionSerializer(serializers.Serializer):
    module = serializers.ChoiceField(choices=KycModule.choices)
    enabled = serializers.BooleanField(help_text="Whether the client's template has this module.")
    required = serializers.BooleanField(help_text="Whether the application can be sent without it.")
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=KycStatus.choices, help_text="The client's module: " + MODULE_STATUS_HELP)
    reason = serializers.CharField(help_text='Why staff disapproved it; "" otherwise.')
    fields = KycFieldSerializer(many=True, help_text="[] for the questionnaire and e_verify modules.")
    questionnaire = QuestionnaireSerializer(
        allow_null=True,
        help_text="The questionnaire module's questionnaire (answer it with client.questionnaire.save_answers); "
        "null for the other modules.",
    )


class KycSectionSerializer(serializers.Serializer):
    modules = ModuleSectionSerializer(
        many=True,
        help_text="The template's other modules (questionnaire, family, contact, job, authentication_accessory, "
        "authentication), in order.",
    )


class AgreementDocumentSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The checkbox in `kyc_data.agreement` that accepts it.")
    title = serializers.CharField()
    content = serializers.CharField(help_text='The text to show in place; "" when only linked.')
    url = serializers.CharField(help_text='The full document; "" when none.')


class AgreementSectionSerializer(ModuleSectionSerializer):
    documents = AgreementDocumentSerializer(many=True, help_text="Each needs its checkbox set to true.")


class EVerifySectionSerializer(ModuleSectionSerializer):
    provider = serializers.CharField(help_text="Who verifies (`simulated` on demo systems).")
    approves_kyc = serializers.BooleanField(
        help_text="Whether passing it approves the application without staff review (once the rest is sent)."
    )
    attempts_left = serializers.IntegerField(help_text="Sessions the client may still start.")


class RegistrationTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    modules = serializers.ListField(
        child=serializers.ChoiceField(choices=KycModule.choices), help_text="The template's modules, in order."
    )
    identity = ModuleSectionSerializer(help_text="The identity module.")
    kyc = KycSectionSerializer(help_text="The other KYC modules.")
    agreement = AgreementSectionSerializer(help_text="The agreement module and the documents it accepts.")
    e_verify = EVerifySectionSerializer(help_text="Electronic identity verification (client.e_verify.*).")
    apply_status = serializers.ChoiceField(choices=APPLY_STATUSES, help_text=APPLY_STATUS_HELP)
    remark = serializers.CharField(help_text='Shown above the forms; "" when none.')


class ClientInfoSerializer(serializers.Serializer):
    agreement_status = serializers.ChoiceField(choices=KycStatus.choices, help_text="The agreement module's status.")
    apply_status = serializers.ChoiceField(choices=APPLY_STATUSES, help_text=APPLY_STATUS_HELP)
    completed_module = serializers.ListField(
        child=serializers.ChoiceField(choices=KycModule.choices),
        help_text="Modules filled in (saved; e_verify: passed), in the template's order.",
    )
    identity_status = serializers.ChoiceField(choices=KycStatus.choices, help_text="The identity module's status.")
    kyc_approved_at = serializers.DateTimeField(allow_null=True, help_text="null until approved.")
    kyc_data = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="What the client entered: `{module: {field: value}}`. File fields carry a fresh signed link "
        "(send it back unchanged to keep the file), or null. `questionnaire`: `{questionnaire_id, record_id, "
        "score}` (read the answers with client.questionnaire.get_answers); `e_verify`: `{session_id, provider, "
        "external_reference}`.",
    )
    kyc_status = serializers.ChoiceField(
        choices=KycStatus.choices,
        help_text="The application: `filling`, `pending` (under review), `approved`, `disapproved` (see "
        "`kyc_reason`; the client may correct it and send it again).",
    )
    kyc_way = serializers.ChoiceField(
        choices=KycWay.choices, allow_blank=True, help_text='How it was approved: `manual`, `e_verify`; "" until then.'
    )
    register_datetime = serializers.DateTimeField(help_text="When the client signed up.")
    kyc_reason = serializers.CharField(help_text='Why the application was disapproved; "" otherwise.')
    kyc_submitted_at = serializers.DateTimeField(allow_null=True, help_text="When it was last sent for review.")
    module_status = serializers.DictField(
        child=serializers.ChoiceField(choices=KycStatus.choices),
        help_text="Every module of the template: " + MODULE_STATUS_HELP,
    )


# --- Values ---------------------------------------------------------------------------------------


def _field(spec: FieldSpec, language: str) -> dict[str, Any]:
    return {
        "name": spec.name,
        "type": spec.kind,
        "label": localized(spec.label_i18n, language),
        "help": localized(spec.help_i18n, language),
        "required": spec.is_required,
        "options": [
            {"value": option["value"], "label": localized(option.get("label_i18n"), language)}
            for option in spec.options
        ],
        "max_length": spec.effective_max_length,
    }


def questionnaire_shown(questionnaire: Questionnaire, language: str) -> dict[str, Any]:
    """A questionnaire to answer. Scores stay on the server: showing them would invite gaming."""
    return {
        "id": questionnaire.pk,
        "name": localized(questionnaire.name_i18n, language),
        "description": localized(questionnaire.description_i18n, language),
        "questions": [
            {
                "id": question.pk,
                "text": localized(question.text_i18n, language),
                "kind": question.kind,
                "required": question.is_required,
                "max_length": question.max_length,
                "options": [
                    {"id": option["id"], "label": localized(option.get("label_i18n"), language)}
                    for option in question.options
                ],
            }
            for question in questionnaire.questions.all()
        ],
    }


def _section(module: str, row: RegistrationModule | None, overview: KycOverview, language: str) -> dict[str, Any]:
    submission = overview.submissions.get(module)
    questionnaire = overview.template.questionnaire if overview.template is not None else None
    return {
        "module": module,
        "enabled": row is not None,
        "required": bool(row and row.is_required),
        "title": (row and localized(row.title_i18n, language)) or str(KycModule(module).label),
        "description": localized(row.description_i18n, language) if row else "",
        "status": overview.module_status(module),
        "reason": submission.reason if submission is not None else "",
        "fields": [_field(spec, language) for spec in module_fields(row)] if row and row.has_fields else [],
        "questionnaire": (
            questionnaire_shown(questionnaire, language)
            if module == KycModule.QUESTIONNAIRE and row and questionnaire
            else None
        ),
    }


def registration_template_shown(overview: KycOverview) -> dict[str, Any]:
    language = request_language()
    template = overview.template
    rows = {row.module: row for row in template.modules.all()} if template is not None else {}
    rules = client_settings_get()
    used = overview.profile.e_verify_sessions.count()
    agreement = _section(KycModule.AGREEMENT, rows.get(KycModule.AGREEMENT), overview, language)
    agreement["documents"] = (
        [
            {
                "key": document.key,
                "title": localized(document.title_i18n, language),
                "content": localized(document.content_i18n, language),
                "url": localized(document.url_i18n, language),
            }
            for document in template.agreements.all()
        ]
        if template is not None and KycModule.AGREEMENT in rows
        else []
    )
    e_verify = _section(KycModule.E_VERIFY, rows.get(KycModule.E_VERIFY), overview, language)
    e_verify.update(
        provider=rules.e_verify_provider,
        approves_kyc=rules.e_verify_approves_kyc,
        attempts_left=max(0, rules.e_verify_max_attempts - used),
    )
    others = [module for module in rows if module not in (KycModule.IDENTITY, KycModule.AGREEMENT, KycModule.E_VERIFY)]
    return {
        "id": template.pk if template is not None else None,
        "name": template.name if template is not None else "",
        "modules": list(rows),
        "identity": _section(KycModule.IDENTITY, rows.get(KycModule.IDENTITY), overview, language),
        "kyc": {"modules": [_section(module, rows[module], overview, language) for module in others]},
        "agreement": agreement,
        "e_verify": e_verify,
        "apply_status": apply_status_of(overview.profile),
        "remark": localized(template.remark_i18n, language) if template is not None else "",
    }


def client_info_shown(overview: KycOverview) -> dict[str, Any]:
    profile = overview.profile
    return {
        "agreement_status": overview.module_status(KycModule.AGREEMENT),
        "apply_status": apply_status_of(profile),
        "completed_module": overview.completed_modules,
        "identity_status": overview.module_status(KycModule.IDENTITY),
        "kyc_approved_at": profile.kyc_approved_at,
        "kyc_data": kyc_data_for_display(overview, file_value=lambda stored_file: private_url(stored_file=stored_file)),
        "kyc_status": profile.kyc_status,
        "kyc_way": profile.kyc_way,
        "register_datetime": profile.user.date_joined,
        "kyc_reason": profile.kyc_reason,
        "kyc_submitted_at": profile.kyc_submitted_at,
        "module_status": {module: overview.module_status(module) for module in overview.modules},
    }


def e_verify_result_shown(session: EVerifySession, status: str) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "status": status,
        "attempt_times": session.attempt_times,
        "retry_times": session.retry_times,
        "reason_code": session.reason_code,
        "reason_msg": session.reason_msg,
        "expire_at": session.expire_at,
        "completed_at": session.completed_at,
    }
