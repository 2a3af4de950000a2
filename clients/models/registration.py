"""Registration templates: which KYC modules a client fills, in which order, with which fields.

Staff configure them in the back office: one default template, and optionally one per country. A
template lists its modules (`RegistrationModule`), each with its fields (`KycField`); the agreement
module also asks the client to accept each of the template's agreements (`RegistrationAgreement`).
The questionnaire module is answered through the template's questionnaire, and the e_verify module
through an electronic-verification session; neither has fields of its own.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.configuration.models import validate_i18n_texts

FIELD_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


class KycModule(models.TextChoices):
    """The KYC modules of the spec's `current_module` (without `all`)."""

    IDENTITY = "identity", _("Identity")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    FAMILY = "family", _("Family")
    CONTACT = "contact", _("Contact")
    JOB = "job", _("Employment")
    AUTHENTICATION_ACCESSORY = "authentication_accessory", _("Supporting documents")
    AUTHENTICATION = "authentication", _("Verification details")
    AGREEMENT = "agreement", _("Agreement")
    E_VERIFY = "e_verify", _("Electronic verification")


# Modules the client fills field by field (the others are answered elsewhere).
FIELD_MODULES = frozenset(KycModule.values) - {KycModule.QUESTIONNAIRE, KycModule.E_VERIFY}


def validate_field_name(value: str) -> None:
    if not FIELD_NAME_PATTERN.match(value or ""):
        raise ValidationError(_("Use lower-case letters, digits and underscores, starting with a letter (at most 50)."))


def validate_i18n_urls(value) -> None:
    """`{"zh-CN": "https://…", "en-US": ""}`: i18n texts whose non-empty values are http(s) URLs."""
    validate_i18n_texts(value)
    check = URLValidator(schemes=["http", "https"])
    for url in value.values():
        if url:
            check(url)


class RegistrationTemplate(models.Model):
    name = models.CharField(_("name"), max_length=100)
    country = models.ForeignKey(
        "configuration.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Clients of this country get this template. Empty: not tied to a country."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("For clients whose country has no template of its own.")
    )
    questionnaire = models.ForeignKey(
        "clients.Questionnaire",
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Answered in the questionnaire module; required when the template has that module."),
    )
    remark_i18n = models.JSONField(
        _("remark"),
        default=dict,
        blank=True,
        validators=[validate_i18n_texts],
        help_text=_('Shown above the forms: {"zh-CN": "…", "en-US": "…"}'),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("registration template")
        verbose_name_plural = _("registration templates")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country"], name="registration_template_one_per_country"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="registration_template_one_default"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(country__isnull=True), name="registration_template_default_no_country"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_default and self.country_id:
            raise ValidationError({"country": _("The default template is for every country; leave this empty.")})


class RegistrationModule(models.Model):
    """One KYC module of a template, in the template's order."""

    template = models.ForeignKey(
        RegistrationTemplate, on_delete=models.CASCADE, related_name="modules", verbose_name=_("registration template")
    )
    module = models.CharField(_("module"), max_length=32, choices=KycModule.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_required = models.BooleanField(
        _("required"), default=True, help_text=_("The application cannot be sent without it.")
    )
    title_i18n = models.JSONField(
        _("title"), default=dict, blank=True, validators=[validate_i18n_texts], help_text=_("Empty: the module's name.")
    )
    description_i18n = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_i18n_texts])

    class Meta:
        verbose_name = _("template module")
        verbose_name_plural = _("template modules")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "module"], name="registration_module_once")]

    def __str__(self) -> str:
        return f"{self.template} · {self.get_module_display()}"

    @property
    def has_fields(self) -> bool:
        return self.module in FIELD_MODULES


class KycField(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        DATE = "date", _("Date (YYYY-MM-DD)")
        SELECT = "select", _("Choice")
        COUNTRY = "country", _("Country (ISO code)")
        PHONE = "phone", _("Phone number")
        EMAIL = "email", _("E-mail address")
        FILE = "file", _("File (document or photo)")
        CHECKBOX = "checkbox", _("Checkbox")

    module = models.ForeignKey(
        RegistrationModule, on_delete=models.CASCADE, related_name="fields", verbose_name=_("module")
    )
    name = models.CharField(
        _("name"), max_length=50, validators=[validate_field_name], help_text=_("The key in kyc_data, e.g. first_name.")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    label_i18n = models.JSONField(_("label"), default=dict, validators=[validate_i18n_texts])
    help_i18n = models.JSONField(_("help text"), default=dict, blank=True, validators=[validate_i18n_texts])
    is_required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('Choices only: [{"value": "passport", "label_i18n": {"zh-CN": "护照", "en-US": "Passport"}}]'),
    )
    max_length = models.PositiveSmallIntegerField(
        _("maximum length"), null=True, blank=True, help_text=_("Text fields; empty: 255.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("KYC field")
        verbose_name_plural = _("KYC fields")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "name"], name="kyc_field_name_once_per_module")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.module_id and not self.module.has_fields:
            errors.setdefault("module", []).append(
                _("The %(module)s module has no fields of its own.") % {"module": self.module.get_module_display()}
            )
        if self.kind == self.Kind.SELECT:
            errors.update({"options": problems} if (problems := options_problems(self.options)) else {})
        elif self.options:
            errors["options"] = [_("Only choice fields have options.")]
        if self.max_length is not None and self.kind not in TEXT_KINDS:
            errors["max_length"] = [_("Only text, phone and e-mail fields have a maximum length.")]
        if errors:
            raise ValidationError(errors)


# Kinds whose value is free text and may be limited in length.
TEXT_KINDS = frozenset({KycField.Kind.TEXT, KycField.Kind.PHONE, KycField.Kind.EMAIL})


def options_problems(options) -> list[str]:
    """What is wrong with a choice field's options (empty list: nothing)."""
    if not isinstance(options, list) or not options:
        return [str(_('Give the choices as [{"value": "…", "label_i18n": {"zh-CN": "…", "en-US": "…"}}, …].'))]
    problems: list[str] = []
    values: set[str] = set()
    for index, option in enumerate(options, start=1):
        if not isinstance(option, dict) or not isinstance(option.get("value"), str) or not option["value"]:
            problems.append(str(_("Choice %(index)d needs a non-empty text value.") % {"index": index}))
            continue
        if option["value"] in values:
            problems.append(str(_("The value %(value)s is used twice.") % {"value": option["value"]}))
        values.add(option["value"])
        try:
            validate_i18n_texts(option.get("label_i18n", {}))
        except ValidationError as error:
            problems.extend(str(message) for message in error.messages)
        unknown = set(option) - {"value", "label_i18n"}
        if unknown:
            problems.append(
                str(
                    _("Unknown keys in choice %(index)d: %(keys)s.")
                    % {"index": index, "keys": ", ".join(sorted(unknown))}
                )
            )
    return problems


class RegistrationAgreement(models.Model):
    """A document the client accepts in the agreement module (one required checkbox each, named by `key`)."""

    template = models.ForeignKey(
        RegistrationTemplate,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("registration template"),
    )
    key = models.CharField(
        _("key"),
        max_length=50,
        validators=[validate_field_name],
        help_text=_("The checkbox's key in kyc_data.agreement, e.g. client_agreement."),
    )
    title_i18n = models.JSONField(_("title"), default=dict, validators=[validate_i18n_texts])
    content_i18n = models.JSONField(
        _("text"), default=dict, blank=True, validators=[validate_i18n_texts], help_text=_("The text shown in place.")
    )
    url_i18n = models.JSONField(
        _("link"),
        default=dict,
        blank=True,
        validators=[validate_i18n_urls],
        help_text=_('Where the full document is, per language: {"zh-CN": "https://…", "en-US": "https://…"}'),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="registration_agreement_key_once")]

    def __str__(self) -> str:
        return self.key
