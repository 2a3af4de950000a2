"""public.settings.*: the company's public settings. No login needed; nothing secret leaves here."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from crm.api.fields import I18nTextsField, PublicFileUrlField
from crm.api.languages import localized, request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer
from crm.api.schema import X_LANGUAGE, list_of, page_of
from crm.api.views import OperationView
from crm.configuration import selectors
from crm.configuration.cache import public_setting_cached
from crm.configuration.models import FundingMethod, LoginLayout, VerificationScene
from crm.users.models import Language, PasswordStrength


class TenantVersionApi(OperationView):
    operation_id = "public.settings.get_tenant_version"
    permission_classes = [AllowAny]

    class TenantVersionSerializer(serializers.Serializer):
        version = serializers.CharField(help_text="Changes whenever a public setting changes; apps refetch then.")

    @extend_schema(responses=TenantVersionSerializer, summary="Get the current tenant's version number.")
    def get(self, request):
        return Response(self.TenantVersionSerializer({"version": selectors.tenant_version()}).data)


class LeverageListApi(OperationView):
    operation_id = "public.settings.list_leverages"
    permission_classes = [AllowAny]

    class SettingsLeverageSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        value = serializers.IntegerField(help_text="100 means 1:100.")
        label = serializers.CharField(source="__str__")

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=page_of(SettingsLeverageSerializer),
        summary="Get the global list of leverage options (paginated).",
    )
    def get(self, request):
        query = self.query(PageQuerySerializer, request)
        page, size = query["page"], query["size"]
        leverages = selectors.leverages_enabled_cached()
        rows = leverages[(page - 1) * size : page * size]
        return Response({"list": self.SettingsLeverageSerializer(rows, many=True).data, "total": len(leverages)})


class AppKeysApi(OperationView):
    operation_id = "public.settings.get_app_keys"
    permission_classes = [AllowAny]

    class AppKeysSerializer(serializers.Serializer):
        recaptcha_web_key = serializers.CharField(help_text='reCAPTCHA site key for the web; "" when not set.')
        recaptcha_android_key = serializers.CharField(help_text='reCAPTCHA site key for Android; "" when not set.')
        tencent_web_app_id = serializers.IntegerField(help_text="Tencent captcha app id (web); 0 when not set.")
        tencent_ios_app_id = serializers.IntegerField(help_text="Tencent captcha app id (iOS); 0 when not set.")
        tencent_android_app_id = serializers.IntegerField(help_text="Tencent captcha app id (Android); 0 when not set.")

    @extend_schema(
        responses=AppKeysSerializer,
        summary="Get the app key configuration (reCAPTCHA keys, Tencent captcha app IDs).",
        description="Only the public keys; the secrets never leave the server.",
    )
    def get(self, request):
        return Response(self.AppKeysSerializer(selectors.app_keys_public()).data)


class AppearanceApi(OperationView):
    operation_id = "public.settings.get_appearance"
    permission_classes = [AllowAny]

    class AppearanceSerializer(serializers.Serializer):
        admin_login_bg_image_url = PublicFileUrlField(source="admin_login_bg_image")
        admin_login_copy_i18n = I18nTextsField()
        admin_login_layout = serializers.ChoiceField(choices=LoginLayout.choices)
        client_login_bg_image_url = PublicFileUrlField(source="client_login_bg_image")
        client_login_copy_i18n = I18nTextsField()
        client_login_layout = serializers.ChoiceField(choices=LoginLayout.choices)
        ib_login_bg_image_url = PublicFileUrlField(source="ib_login_bg_image")
        ib_login_copy_i18n = I18nTextsField()
        ib_login_layout = serializers.ChoiceField(choices=LoginLayout.choices)

    @extend_schema(
        responses=AppearanceSerializer,
        summary="Get the appearance settings (login page layouts, background images, copy).",
    )
    def get(self, request):
        appearance = selectors.appearance_get()
        return Response(self.AppearanceSerializer(appearance, context={"request": request}).data)


class CompanyApi(OperationView):
    operation_id = "public.settings.get_company"
    permission_classes = [AllowAny]

    class CompanySettingsSerializer(serializers.Serializer):
        broker_name_i18n = I18nTextsField()
        company_logo_url = PublicFileUrlField(source="company_logo")
        login_page_logo_url = PublicFileUrlField(source="login_page_logo")
        watermark_logo_url = PublicFileUrlField(source="watermark_logo")
        email = serializers.CharField(help_text='Contact e-mail; "" when not set.')
        support_phone = serializers.CharField(help_text='"" when not set.')
        timezone = serializers.CharField(help_text="IANA time zone of every time in the API, e.g. Asia/Shanghai.")

    @extend_schema(
        responses=CompanySettingsSerializer,
        summary="Get the company settings (broker name, logos, contact, timezone).",
    )
    def get(self, request):
        company = selectors.company_get()
        return Response(self.CompanySettingsSerializer(company, context={"request": request}).data)


class CountryListApi(OperationView):
    operation_id = "public.settings.list_countries"
    permission_classes = [AllowAny]

    class SettingsCountrySerializer(serializers.Serializer):
        code = serializers.CharField(help_text="ISO 3166-1 alpha-2, e.g. CN.")
        name = serializers.SerializerMethodField(help_text="In the request's language (X-Language).")
        name_i18n = I18nTextsField()
        phone_code = serializers.CharField(help_text='International dialling code, e.g. +86; "" when unknown.')

        def get_name(self, country) -> str:
            return localized(country.name_i18n, self.context["language"])

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses=list_of(SettingsCountrySerializer),
        summary="Get the list of countries.",
        description="The enabled countries, in the broker's order.",
    )
    def get(self, request):
        language = request_language()
        return Response({"list": public_setting_cached(f"countries:{language}", lambda: self.shown(language))})

    def shown(self, language: str) -> list[dict]:
        # Cached rendered, per language: the rows would be unpickled and serialized again on every request.
        countries = selectors.countries_enabled()
        return list(self.SettingsCountrySerializer(countries, many=True, context={"language": language}).data)


# The spec's `method` enum: every funding method, or `all`.
METHODS = [selectors.ALL_METHODS, *FundingMethod.values]


class CurrencyListApi(OperationView):
    operation_id = "public.settings.list_currencies"
    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=METHODS, required=False, default=selectors.ALL_METHODS)

    class SettingsCurrencySerializer(serializers.Serializer):
        code = serializers.CharField(help_text="ISO 4217, or a coin such as USDT.")
        name = serializers.CharField()
        symbol = serializers.CharField()
        precision = serializers.IntegerField(help_text="Digits after the decimal point of its amounts.")
        methods = serializers.ListField(
            child=serializers.ChoiceField(choices=FundingMethod.choices),
            help_text="The funding methods that accept this currency.",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "method",
                str,
                required=False,
                default=selectors.ALL_METHODS,
                enum=METHODS,
                description="Funding method: all (every currency), bank_transfer, international_wire_transfer, "
                "cryptocurrency.",
            )
        ],
        responses=page_of(SettingsCurrencySerializer),
        summary="Get all available currencies, optionally filtered by funding method.",
        description="Not paginated: `total` is the length of `list`.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        currencies = selectors.currencies_enabled_cached(method=query["method"])
        return Response({"list": self.SettingsCurrencySerializer(currencies, many=True).data, "total": len(currencies)})


class PortalLanguageSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Language.choices, help_text="The value to send as X-Language.")
    name = serializers.CharField(help_text="The language's name in itself, e.g. 简体中文.")
    is_default = serializers.BooleanField()


class LanguagesApi(OperationView):
    operation_id = "public.settings.get_languages"
    permission_classes = [AllowAny]

    class LanguageSettingsSerializer(serializers.Serializer):
        language = PortalLanguageSerializer(many=True, help_text="The enabled portal languages, in order.")

    @extend_schema(responses=LanguageSettingsSerializer, summary="Get the language settings.")
    def get(self, request):
        return Response(self.LanguageSettingsSerializer({"language": selectors.portal_languages_enabled_cached()}).data)


class SecurityApi(OperationView):
    operation_id = "public.settings.get_security"
    permission_classes = [AllowAny]

    class SecuritySettingsSerializer(serializers.Serializer):
        email_verification_scenarios = serializers.ListField(
            child=serializers.ChoiceField(choices=VerificationScene.choices),
            help_text="The scenes that need an e-mail code.",
        )
        google_two_factor_enabled = serializers.BooleanField()
        re_captcha_enabled = serializers.BooleanField()
        required_password_strength = serializers.ChoiceField(choices=PasswordStrength.choices)
        tencent_two_factor_enabled = serializers.BooleanField(help_text="Tencent captcha at login.")

    @extend_schema(
        responses=SecuritySettingsSerializer,
        summary="Get the public security settings (2FA, reCAPTCHA, password strength, email-verification scenarios).",
    )
    def get(self, request):
        return Response(self.SecuritySettingsSerializer(selectors.security_settings_get()).data)
