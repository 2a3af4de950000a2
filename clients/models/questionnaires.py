"""Questionnaires (trading experience, wealth, risk tolerance) and the answers clients give."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.configuration.models import validate_i18n_texts


class Questionnaire(models.Model):
    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts])
    description_i18n = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_i18n_texts])
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["id"]

    def __str__(self) -> str:
        return localized(self.name_i18n, request_language()) or f"#{self.pk}"


class QuestionnaireQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    text_i18n = models.JSONField(_("question"), default=dict, validators=[validate_i18n_texts])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_(
            'Choices: [{"id": 1, "label_i18n": {"zh-CN": "…", "en-US": "…"}, "score": 2}, …]; ids are what clients '
            "answer with, so keep them when you edit. A missing id is assigned on save; the score is optional."
        ),
    )
    is_required = models.BooleanField(_("required"), default=True)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), default=500, help_text=_("Free-text answers."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return localized(self.text_i18n, request_language()) or f"#{self.pk}"

    def clean(self) -> None:
        if self.kind == self.Kind.TEXT:
            if self.options:
                raise ValidationError({"options": _("Free-text questions have no options.")})
            return
        if problems := question_options_problems(self.options):
            raise ValidationError({"options": problems})

    def option(self, option_id: int) -> dict | None:
        return next((option for option in self.options if option.get("id") == option_id), None)


def question_options_with_ids(options) -> list:
    """The options with an id given to each that has none (after the highest id in use)."""
    if not isinstance(options, list):
        return options
    used = [option["id"] for option in options if isinstance(option, dict) and isinstance(option.get("id"), int)]
    next_id = max(used, default=0) + 1
    completed = []
    for option in options:
        if isinstance(option, dict) and "id" not in option:
            option = {"id": next_id, **option}
            next_id += 1
        completed.append(option)
    return completed


def question_options_problems(options) -> list[str]:
    if not isinstance(options, list) or len(options) < 2:
        return [str(_('Give at least two choices: [{"id": 1, "label_i18n": {…}, "score": 0}, …].'))]
    problems: list[str] = []
    ids: set[int] = set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            problems.append(str(_("Choice %(index)d is not an object.") % {"index": index}))
            continue
        option_id = option.get("id")
        if not isinstance(option_id, int) or isinstance(option_id, bool) or option_id < 1:
            problems.append(str(_("Choice %(index)d needs a positive whole-number id.") % {"index": index}))
        elif option_id in ids:
            problems.append(str(_("The id %(id)d is used twice.") % {"id": option_id}))
        else:
            ids.add(option_id)
        try:
            validate_i18n_texts(option.get("label_i18n"))
        except ValidationError as error:
            problems.extend(str(message) for message in error.messages)
        score = option.get("score", 0)
        if not isinstance(score, int) or isinstance(score, bool):
            problems.append(str(_("The score of choice %(index)d must be a whole number.") % {"index": index}))
        unknown = set(option) - {"id", "label_i18n", "score"}
        if unknown:
            problems.append(
                str(
                    _("Unknown keys in choice %(index)d: %(keys)s.")
                    % {"index": index, "keys": ", ".join(sorted(unknown))}
                )
            )
    return problems


class QuestionnaireAnswerRecord(models.Model):
    """One time a client answered a questionnaire. `answers` keeps the questions and choices as they were
    then, so a record reads the same after staff edit the questionnaire."""

    profile = models.ForeignKey(
        "clients.ClientProfile",
        on_delete=models.CASCADE,
        related_name="questionnaire_answers",
        verbose_name=_("client profile"),
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="answer_records", verbose_name=_("questionnaire")
    )
    answers = models.JSONField(_("answers"), default=list)
    score = models.IntegerField(_("score"), default=0)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("questionnaire answers")
        verbose_name_plural = _("questionnaire answers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.profile}"
