from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.users.models import Language, PasswordStrength


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone %(value)s."), params={"value": value})


def validate_i18n_texts(value) -> None:
    """`{"zh-CN": "…", "en-US": "…"}` with known language keys and string values."""
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        raise ValidationError(_('Give texts as {"zh-CN": "…", "en-US": "…"}.'))
    unknown = set(value) - set(Language.values)
    if unknown:
        raise ValidationError(_("Unknown languages: %(names)s."), params={"names": ", ".join(sorted(unknown))})


def public_storage() -> Storage:
    """The `public` storage (logos, login backgrounds): served without signatures.

    A callable, not the alias: `FileField(storage=...)` takes a storage or a callable, and the
    callable keeps migrations free of the storage's settings.
    """
    return storages["public"]


# Public images. No SVG: served from our origin, an SVG can carry script.
IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "gif"]


def image_field(upload_to: str, **options) -> models.FileField:
    return models.FileField(
        upload_to=upload_to,
        storage=public_storage,
        blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
        **options,
    )


class SingletonModel(models.Model):
    """A settings row of which there is exactly one (pk 1)."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class FundingMethod(models.TextChoices):
    """How money reaches or leaves the broker (the spec's `method` enum, without `all`)."""

    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    INTERNATIONAL_WIRE_TRANSFER = "international_wire_transfer", _("International wire transfer")
    CRYPTOCURRENCY = "cryptocurrency", _("Cryptocurrency")


class Company(SingletonModel):
    broker_name_i18n = models.JSONField(_("broker name"), default=dict, blank=True, validators=[validate_i18n_texts])
    company_logo = image_field("company/", verbose_name=_("company logo"))
    login_page_logo = image_field("company/", verbose_name=_("login page logo"))
    watermark_logo = image_field("company/", verbose_name=_("watermark logo"))
    email = models.EmailField(_("e-mail"), blank=True)
    support_phone = models.CharField(_("support phone"), max_length=32, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone])
    version = models.CharField(
        _("version"), max_length=32, default="1.0.0", help_text=_("Shown to apps as the tenant version.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("company")

    def __str__(self) -> str:
        return localized(self.broker_name_i18n, request_language()) or str(_("Company"))


class LoginLayout(models.TextChoices):
    CENTERED = "centered", _("Centered")
    LEFT = "left", _("Form on the left")
    RIGHT = "right", _("Form on the right")


class Appearance(SingletonModel):
    admin_login_bg_image = image_field("appearance/", verbose_name=_("back office login background"))
    admin_login_copy_i18n = models.JSONField(
        _("back office login text"), default=dict, blank=True, validators=[validate_i18n_texts]
    )
    admin_login_layout = models.CharField(
        _("back office login layout"), max_length=16, choices=LoginLayout.choices, default=LoginLayout.CENTERED
    )
    client_login_bg_image = image_field("appearance/", verbose_name=_("client portal login background"))
    client_login_copy_i18n = models.JSONField(
        _("client portal login text"), default=dict, blank=True, validators=[validate_i18n_texts]
    )
    client_login_layout = models.CharField(
        _("client portal login layout"), max_length=16, choices=LoginLayout.choices, default=LoginLayout.CENTERED
    )
    ib_login_bg_image = image_field("appearance/", verbose_name=_("IB portal login background"))
    ib_login_copy_i18n = models.JSONField(
        _("IB portal login text"), default=dict, blank=True, validators=[validate_i18n_texts]
    )
    ib_login_layout = models.CharField(
        _("IB portal login layout"), max_length=16, choices=LoginLayout.choices, default=LoginLayout.CENTERED
    )

    class Meta:
        verbose_name = verbose_name_plural = _("appearance")

    def __str__(self) -> str:
        return str(_("Appearance"))


class AppKeys(SingletonModel):
    """Public keys the apps embed (captcha); their secrets stay on the server."""

    recaptcha_web_key = models.CharField(_("reCAPTCHA web key"), max_length=128, blank=True)
    recaptcha_android_key = models.CharField(_("reCAPTCHA Android key"), max_length=128, blank=True)
    recaptcha_secret_key = models.CharField(_("reCAPTCHA secret key"), max_length=128, blank=True)
    tencent_web_app_id = models.PositiveBigIntegerField(_("Tencent captcha web app id"), null=True, blank=True)
    tencent_ios_app_id = models.PositiveBigIntegerField(_("Tencent captcha iOS app id"), null=True, blank=True)
    tencent_android_app_id = models.PositiveBigIntegerField(_("Tencent captcha Android app id"), null=True, blank=True)
    # Tencent's AppSecretKey, one per captcha app id.
    tencent_app_secret_keys = models.JSONField(
        _("Tencent captcha app secret keys"), default=dict, blank=True, help_text=_('{"<app id>": "<AppSecretKey>"}')
    )

    class Meta:
        verbose_name = verbose_name_plural = _("app keys")

    def __str__(self) -> str:
        return str(_("App keys"))

    def tencent_app_ids(self) -> set[int]:
        return {
            app_id
            for app_id in (self.tencent_web_app_id, self.tencent_ios_app_id, self.tencent_android_app_id)
            if app_id
        }


class VerificationScene(models.TextChoices):
    """Where an e-mail code is asked for."""

    REGISTER = "register", _("Registration")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TRANSFER = "transfer", _("Transfer")
    PASSWORD_CHANGE = "password_change", _("Password change")


class SecuritySettings(SingletonModel):
    email_verification_scenarios = models.JSONField(
        _("e-mail code required for"),
        default=list,
        blank=True,
        help_text=_("Scenes that need an e-mail code: register, withdrawal, transfer, password_change."),
    )
    google_two_factor_enabled = models.BooleanField(_("Google Authenticator two-factor"), default=False)
    re_captcha_enabled = models.BooleanField(_("reCAPTCHA"), default=False)
    tencent_two_factor_enabled = models.BooleanField(
        _("Tencent captcha"), default=False, help_text=_("Tencent captcha at login.")
    )
    required_password_strength = models.CharField(
        _("required password strength"), max_length=8, choices=PasswordStrength.choices, default=PasswordStrength.MEDIUM
    )
    email_code_lifetime_minutes = models.PositiveSmallIntegerField(_("e-mail code lifetime (minutes)"), default=10)
    email_code_resend_seconds = models.PositiveSmallIntegerField(_("e-mail code resend interval (seconds)"), default=60)
    email_code_max_attempts = models.PositiveSmallIntegerField(_("e-mail code attempts"), default=5)
    login_max_failures = models.PositiveSmallIntegerField(
        _("failed logins before lock"), default=5, help_text=_("Per e-mail and per IP in 15 minutes.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("security settings")

    def __str__(self) -> str:
        return str(_("Security settings"))

    def clean(self) -> None:
        unknown = set(self.email_verification_scenarios or []) - set(VerificationScene.values)
        if unknown:
            raise ValidationError(
                {"email_verification_scenarios": _("Unknown scenes: %s") % ", ".join(sorted(unknown))}
            )

    def requires_email_code(self, scene: str) -> bool:
        return scene in (self.email_verification_scenarios or [])

    @property
    def is_captcha_on(self) -> bool:
        return self.re_captcha_enabled or self.tencent_two_factor_enabled


class PortalLanguage(models.Model):
    """A language the portals offer."""

    code = models.CharField(_("code"), max_length=8, choices=Language.choices, unique=True)
    name = models.CharField(_("name"), max_length=64)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    is_default = models.BooleanField(_("default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("portal language")
        verbose_name_plural = _("portal languages")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_language"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Country(models.Model):
    code = models.CharField(_("code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2"))
    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts])
    phone_code = models.CharField(_("phone code"), max_length=8, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z]{2}$"), name="country_code_iso2")]

    def __str__(self) -> str:
        return f"{self.code} {localized(self.name_i18n, request_language())}".strip()


class Currency(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("ISO 4217, or a coin such as USDT"))
    name = models.CharField(_("name"), max_length=64)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    precision = models.PositiveSmallIntegerField(
        _("precision"), default=2, help_text=_("Digits after the decimal point.")
    )
    for_bank_transfer = models.BooleanField(_("for bank transfers"), default=True)
    for_international_wire_transfer = models.BooleanField(_("for international wire transfers"), default=True)
    for_cryptocurrency = models.BooleanField(_("for cryptocurrency"), default=False)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [
            models.CheckConstraint(condition=models.Q(precision__lte=8), name="currency_precision_at_most_8")
        ]

    def __str__(self) -> str:
        return self.code

    def methods(self) -> list[str]:
        return [method for method in FundingMethod.values if getattr(self, f"for_{method}")]


class Leverage(models.Model):
    """A leverage the broker offers: 100 means 1:100."""

    value = models.PositiveIntegerField(_("leverage"), unique=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["value"]
        verbose_name = _("leverage")
        verbose_name_plural = _("leverages")
        constraints = [models.CheckConstraint(condition=models.Q(value__gte=1), name="leverage_at_least_1")]

    def __str__(self) -> str:
        return f"1:{self.value}"
