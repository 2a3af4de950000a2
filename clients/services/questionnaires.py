"""Answering questionnaires. The registration template's questionnaire fills the KYC questionnaire module."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clients.errors import ClientErrorCode, invalid_input
from clients.models import (
    ClientProfile,
    KycModule,
    KycModuleSubmission,
    KycStatus,
    Questionnaire,
    QuestionnaireAnswerRecord,
    QuestionnaireQuestion,
)
from clients.selectors import kyc_not_editable, registration_template_for, template_module
from crm.audit.services import audit_record
from crm.errors import NotFound


def questionnaire_enabled(*, questionnaire_id: Any) -> Questionnaire:
    questionnaire = None
    if isinstance(questionnaire_id, int) and not isinstance(questionnaire_id, bool):
        questionnaire = Questionnaire.objects.filter(pk=questionnaire_id, is_enabled=True).first()
    if questionnaire is None:
        raise NotFound(code=ClientErrorCode.QUESTIONNAIRE_NOT_FOUND, message=_("This questionnaire does not exist."))
    return questionnaire


def _answer_check(question: QuestionnaireQuestion, answer: dict) -> tuple[dict, int, dict[str, list[str]]]:
    """(the answer as recorded, its score, errors by key within the answer)."""
    option_ids = answer.get("option_ids")
    text = answer.get("text")
    errors: dict[str, list[str]] = {}
    if question.kind == QuestionnaireQuestion.Kind.TEXT:
        if option_ids:
            errors["option_ids"] = [_("This question is answered with text.")]
        if text is not None and not isinstance(text, str):
            errors["text"] = [_("Enter text.")]
        text = (text or "").strip() if isinstance(text, str) else ""
        if question.is_required and not text and "text" not in errors:
            errors["text"] = [_("This question is required.")]
        elif len(text) > question.max_length:
            errors["text"] = [_("At most %(count)d characters.") % {"count": question.max_length}]
        return {"option_ids": [], "options_i18n": [], "text": text}, 0, errors

    if text:
        errors["text"] = [_("This question is answered by choosing.")]
    if option_ids is None:
        option_ids = []
    if not isinstance(option_ids, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in option_ids
    ):
        return {}, 0, {"option_ids": [_("Give a list of option ids.")]}
    if len(set(option_ids)) != len(option_ids):
        errors["option_ids"] = [_("An option is chosen twice.")]
    options = [question.option(option_id) for option_id in option_ids]
    unknown = [str(option_id) for option_id, option in zip(option_ids, options, strict=True) if option is None]
    if unknown:
        errors["option_ids"] = [_("Unknown options: %(ids)s.") % {"ids": ", ".join(unknown)}]
    elif question.kind == QuestionnaireQuestion.Kind.SINGLE and len(option_ids) > 1:
        errors["option_ids"] = [_("Choose one option.")]
    elif question.is_required and not option_ids:
        errors["option_ids"] = [_("This question is required.")]
    chosen = [option for option in options if option is not None]
    score = sum(option.get("score", 0) for option in chosen)
    recorded = {
        "option_ids": option_ids,
        "options_i18n": [option.get("label_i18n", {}) for option in chosen],
        "text": "",
    }
    return recorded, score, errors


def questionnaire_answers_check(
    *, questionnaire: Questionnaire, answers: Any, prefix: str = "answers"
) -> tuple[list[dict], int]:
    """The answers as recorded (every question, in order, with its text and the chosen options' labels)
    and the total score; 400 `invalid_input` with fields such as `answers.2.option_ids` otherwise."""
    if not isinstance(answers, list):
        raise invalid_input({prefix: [_("Give a list of answers.")]})
    questions = {question.pk: question for question in questionnaire.questions.all()}
    errors: dict[str, list[str]] = {}
    given: dict[int, tuple[int, dict]] = {}
    for index, answer in enumerate(answers):
        key = f"{prefix}.{index}"
        if not isinstance(answer, dict):
            errors[key] = [_("Give each answer as an object.")]
            continue
        unknown_keys = set(answer) - {"question_id", "option_ids", "text"}
        if unknown_keys:
            errors[key] = [_("Unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(map(str, unknown_keys)))}]
        question_id = answer.get("question_id")
        if not isinstance(question_id, int) or isinstance(question_id, bool) or question_id not in questions:
            errors[f"{key}.question_id"] = [_("Not a question of this questionnaire.")]
        elif question_id in given:
            errors[f"{key}.question_id"] = [_("This question is answered twice.")]
        else:
            given[question_id] = (index, answer)

    recorded: list[dict] = []
    total = 0
    missing: list[str] = []
    for question in questions.values():
        # Where in the list the question was answered; None: not answered.
        answered_at: int | None
        answered_at, answer = given.get(question.pk, (None, {}))
        entry, score, answer_errors = _answer_check(question, answer)
        if answered_at is None:
            if answer_errors:
                missing.append(str(question.pk))
        else:
            for name, messages in answer_errors.items():
                errors[f"{prefix}.{answered_at}.{name}"] = messages
        total += score
        recorded.append(
            {
                "question_id": question.pk,
                "question_i18n": question.text_i18n,
                "kind": question.kind,
                **entry,
                "score": score,
            }
        )
    if missing:
        errors.setdefault(prefix, []).append(_("Answer the required questions: %(ids)s.") % {"ids": ", ".join(missing)})
    if errors:
        raise invalid_input(errors)
    return recorded, total


def questionnaire_record_create(
    *, profile: ClientProfile, questionnaire: Questionnaire, recorded: list[dict], score: int, for_kyc: bool
) -> QuestionnaireAnswerRecord:
    """Store checked answers; when they answer the KYC questionnaire, point the module at them.
    The caller holds the profile's lock."""
    record = QuestionnaireAnswerRecord.objects.create(
        profile=profile, questionnaire=questionnaire, answers=recorded, score=score
    )
    if for_kyc:
        KycModuleSubmission.objects.update_or_create(
            profile=profile,
            module=KycModule.QUESTIONNAIRE,
            defaults={
                "data": {"questionnaire_id": questionnaire.pk, "record_id": record.pk, "score": score},
                "status": KycStatus.FILLING,
            },
        )
    return record


@transaction.atomic
def questionnaire_answers_save(
    *, profile: ClientProfile, questionnaire_id: int, answers: list
) -> QuestionnaireAnswerRecord:
    """Record the client's answers to an enabled questionnaire (404 `questionnaire_not_found` otherwise).

    When it is the questionnaire of the client's registration template, the answers fill the KYC
    questionnaire module, so they cannot change while the application is reviewed or once it is
    approved (409 `kyc_not_editable`). Every save is a new record; the module points to the latest."""
    profile = ClientProfile.objects.select_for_update(of=("self",)).select_related("user").get(pk=profile.pk)
    questionnaire = questionnaire_enabled(questionnaire_id=questionnaire_id)
    template = registration_template_for(profile=profile)
    for_kyc = (
        template is not None
        and template.questionnaire_id == questionnaire.pk
        and template_module(template, KycModule.QUESTIONNAIRE) is not None
    )
    if for_kyc and not profile.is_editable:
        raise kyc_not_editable(profile)
    recorded, score = questionnaire_answers_check(questionnaire=questionnaire, answers=answers)
    record = questionnaire_record_create(
        profile=profile, questionnaire=questionnaire, recorded=recorded, score=score, for_kyc=for_kyc
    )
    if for_kyc and profile.registration_template_id is None:
        profile.registration_template = template
        profile.save(update_fields=["registration_template", "updated_at"])
    audit_record(
        actor=profile.user,
        action="questionnaire.answered",
        target=profile,
        data={"questionnaire_id": questionnaire.pk, "record_id": record.pk, "score": score},
    )
    return record
