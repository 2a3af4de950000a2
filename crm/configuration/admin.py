"""Back office for the public settings: the singletons and the lists the portals offer."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.configuration import services
from crm.configuration.models import (
    Appearance,
    AppKeys,
    Company,
    Country,
    Currency,
    Leverage,
    PortalLanguage,
    SecuritySettings,
    VerificationScene,
)


class SingletonAdmin(admin.ModelAdmin):
    """One settings row: the list goes straight to it, and it can be neither added twice nor deleted."""

    def admin_url(self, view: str, *args) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if self.model.objects.filter(pk=1).exists():
            return HttpResponseRedirect(self.admin_url("change", 1))
        return HttpResponseRedirect(self.admin_url("add"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not self.model.objects.filter(pk=1).exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def response_add(self, request, obj, post_url_continue=None):
        # "Save" on the add page would go to the list, which only redirects back here.
        if "_addanother" not in request.POST and "_continue" not in request.POST:
            self.message_user(request, _("The settings were saved."), messages.SUCCESS)
            return HttpResponseRedirect(self.admin_url("change", obj.pk))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_saveasnew" not in request.POST:
            self.message_user(request, _("The settings were saved."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


@admin.register(Company)
class CompanyAdmin(SingletonAdmin):
    fieldsets = [
        (_("Broker"), {"fields": ["broker_name_i18n", "email", "support_phone", "timezone", "version"]}),
        (_("Logos"), {"fields": ["company_logo", "login_page_logo", "watermark_logo"]}),
    ]


@admin.register(Appearance)
class AppearanceAdmin(SingletonAdmin):
    fieldsets = [
        (
            _("Client portal login"),
            {"fields": ["client_login_layout", "client_login_bg_image", "client_login_copy_i18n"]},
        ),
        (_("IB portal login"), {"fields": ["ib_login_layout", "ib_login_bg_image", "ib_login_copy_i18n"]}),
        (_("Back office login"), {"fields": ["admin_login_layout", "admin_login_bg_image", "admin_login_copy_i18n"]}),
    ]


# Which Tencent captcha app each secret belongs to: (form field, app id field).
TENCENT_SECRET_FIELDS = [
    ("tencent_web_app_secret_key", "tencent_web_app_id"),
    ("tencent_ios_app_secret_key", "tencent_ios_app_id"),
    ("tencent_android_app_secret_key", "tencent_android_app_id"),
]
KEEP_SECRET_HELP = _("Hidden. Leave empty to keep the stored secret.")


def secret_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=KEEP_SECRET_HELP,
    )


class AppKeysForm(forms.ModelForm):
    """Secrets are write-only: never sent back to the browser; an empty input keeps the stored one."""

    recaptcha_secret_key = secret_field(_("reCAPTCHA secret key"))
    tencent_web_app_secret_key = secret_field(_("Tencent captcha AppSecretKey (web)"))
    tencent_ios_app_secret_key = secret_field(_("Tencent captcha AppSecretKey (iOS)"))
    tencent_android_app_secret_key = secret_field(_("Tencent captcha AppSecretKey (Android)"))

    class Meta:
        model = AppKeys
        fields = [
            "recaptcha_web_key",
            "recaptcha_android_key",
            "recaptcha_secret_key",
            "tencent_web_app_id",
            "tencent_ios_app_id",
            "tencent_android_app_id",
        ]

    def clean_recaptcha_secret_key(self) -> str:
        return self.cleaned_data["recaptcha_secret_key"] or self.instance.recaptcha_secret_key

    def save(self, commit: bool = True) -> AppKeys:
        keys = super().save(commit=False)
        stored = dict(self.instance.tencent_app_secret_keys or {})
        secrets: dict[str, str] = {}
        # Secrets are keyed by app id; a removed app id takes its secret with it.
        for secret_name, app_id_name in TENCENT_SECRET_FIELDS:
            app_id = self.cleaned_data.get(app_id_name)
            if not app_id:
                continue
            secret = self.cleaned_data.get(secret_name) or stored.get(str(app_id), "")
            if secret:
                secrets[str(app_id)] = secret
        keys.tencent_app_secret_keys = secrets
        if commit:
            keys.save()
        return keys


@admin.register(AppKeys)
class AppKeysAdmin(SingletonAdmin):
    form = AppKeysForm
    fieldsets = [
        (_("reCAPTCHA"), {"fields": ["recaptcha_web_key", "recaptcha_android_key", "recaptcha_secret_key"]}),
        (
            _("Tencent captcha"),
            {
                "fields": [
                    ("tencent_web_app_id", "tencent_web_app_secret_key"),
                    ("tencent_ios_app_id", "tencent_ios_app_secret_key"),
                    ("tencent_android_app_id", "tencent_android_app_secret_key"),
                ]
            },
        ),
    ]


class SecuritySettingsForm(forms.ModelForm):
    email_verification_scenarios = forms.MultipleChoiceField(
        label=_("E-mail verification scenes"),
        choices=VerificationScene.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where users must enter a code sent to their e-mail."),
    )

    class Meta:
        model = SecuritySettings
        fields = [
            "required_password_strength",
            "google_two_factor_enabled",
            "re_captcha_enabled",
            "tencent_two_factor_enabled",
            "login_max_failures",
            "email_verification_scenarios",
            "email_code_lifetime_minutes",
            "email_code_resend_seconds",
            "email_code_max_attempts",
        ]


@admin.register(SecuritySettings)
class SecuritySettingsAdmin(SingletonAdmin):
    # The model's clean() refuses unknown scenes whatever the form sends.
    form = SecuritySettingsForm
    fieldsets = [
        (
            _("Login"),
            {
                "fields": [
                    "required_password_strength",
                    "google_two_factor_enabled",
                    "re_captcha_enabled",
                    "tencent_two_factor_enabled",
                    "login_max_failures",
                ]
            },
        ),
        (
            _("E-mail codes"),
            {
                "fields": [
                    "email_verification_scenarios",
                    "email_code_lifetime_minutes",
                    "email_code_resend_seconds",
                    "email_code_max_attempts",
                ]
            },
        ),
    ]


@admin.register(PortalLanguage)
class PortalLanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default", "is_enabled", "position"]
    list_editable = ["is_enabled", "position"]
    list_filter = ["is_enabled", "is_default"]
    search_fields = ["code", "name"]
    readonly_fields = ["is_default"]
    actions = ["make_default"]

    @admin.action(description=_("Make the default language"))
    def make_default(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one language."), messages.ERROR)
            return
        language = services.portal_language_set_default(language_id=queryset.get().pk)
        self.message_user(request, _("%(name)s is now the default language.") % {"name": language.name})


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "phone_code", "is_enabled", "position"]
    list_editable = ["is_enabled", "position"]
    list_filter = ["is_enabled"]
    search_fields = ["code", "name_i18n", "phone_code"]

    @admin.display(description=_("name (Chinese)"))
    def name_zh(self, country: Country) -> str:
        return country.name_i18n.get("zh-CN", "")

    @admin.display(description=_("name (English)"))
    def name_en(self, country: Country) -> str:
        return country.name_i18n.get("en-US", "")


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "symbol",
        "precision",
        "for_bank_transfer",
        "for_international_wire_transfer",
        "for_cryptocurrency",
        "is_enabled",
        "position",
    ]
    list_editable = ["is_enabled", "position"]
    list_filter = ["is_enabled", "for_bank_transfer", "for_international_wire_transfer", "for_cryptocurrency"]
    search_fields = ["code", "name"]


@admin.register(Leverage)
class LeverageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "value", "is_enabled"]
    list_editable = ["is_enabled"]
    list_filter = ["is_enabled"]
    search_fields = ["value"]
