"""public.auth.*: logging in and out, passwords, the user's security settings."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from crm.api.schema import EMPTY_RESPONSE
from crm.api.views import OperationView
from crm.configuration.models import VerificationScene
from crm.users import selectors, services
from crm.users.models import PasswordStrength
from crm.users.serializers import UserInfoSerializer


def client_ip(request) -> str | None:
    # Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips); headers
    # such as X-Forwarded-For are not trusted here because anyone can send them.
    return request.META.get("REMOTE_ADDR") or None


CAPTCHA_HEADERS = [
    OpenApiParameter(
        "Captcha-Token",
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The captcha answer: Tencent's `ticket` or reCAPTCHA's token. Required when the company turned "
        "on a captcha (public.settings.get_security).",
    ),
    OpenApiParameter(
        "Captcha-Action",
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="reCAPTCHA v3 action the token was made for (checked when given).",
    ),
    OpenApiParameter(
        "Captcha-Randstr", str, OpenApiParameter.HEADER, required=False, description="Tencent's `randstr`."
    ),
]


class LoginApi(OperationView):
    operation_id = "public.auth.login"
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Login"

        email = serializers.EmailField(help_text="Compared case-insensitively.")
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "LoginResult"

        token = serializers.CharField(
            help_text="Send as `Authorization: Bearer <token>`. Dies at logout, password change or reset, and "
            "when it expires."
        )
        user_info = UserInfoSerializer()

    @extend_schema(
        parameters=CAPTCHA_HEADERS,
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Log in with email and password (optional captcha headers); returns a token and user info.",
        description="Errors: 400 `invalid_credentials` (whether or not the e-mail has an account), 400 "
        "`captcha_required` / `captcha_invalid`, 403 `user_disabled`, 429 `too_many_login_attempts` (after the "
        "company's limit of failures per e-mail or per IP within 15 minutes; Retry-After), 503 "
        "`captcha_unavailable`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        result = services.user_login(
            email=data["email"],
            password=data["password"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            captcha_ticket=request.headers.get("Captcha-Token", ""),
            captcha_rand_str=request.headers.get("Captcha-Randstr", ""),
            captcha_action=request.headers.get("Captcha-Action", ""),
        )
        return Response(self.OutputSerializer({"token": result.token, "user_info": result.user}).data)


class LogoutApi(OperationView):
    operation_id = "public.auth.logout"

    @extend_schema(
        request=None, responses=EMPTY_RESPONSE, summary="Log out the current user (the token presented dies)."
    )
    def post(self, request):
        services.user_logout(token=request.auth)
        return Response({})


class PasswordChangeApi(OperationView):
    operation_id = "public.auth.change_password"
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ChangePassword"

        email_code = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=16,
            help_text="Email verification code (scene `password_change`); required when the company asks for one "
            "in that scene.",
        )
        new_password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="New password")
        old_password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="Current (old) password")

    @extend_schema(
        request=InputSerializer,
        responses=EMPTY_RESPONSE,
        summary="Change the logged-in user's password (old + new password, optional email code).",
        description="On success every token of the user dies, the one of this request too: log in again with the "
        "new password. Errors: 400 `old_password_incorrect`, `password_unchanged`, `password_too_weak`, "
        "`email_code_required`, `email_code_invalid`, `email_code_expired`; 429 `email_code_too_many_attempts`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        services.user_password_change(
            user=request.user,
            old_password=data["old_password"],
            new_password=data["new_password"],
            email_code=data.get("email_code") or None,
        )
        return Response({})


class PasswordResetEmailSendApi(OperationView):
    operation_id = "public.auth.send_password_reset_email"
    permission_classes = [AllowAny]
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "password_reset"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SendPasswordResetEmail"

        email = serializers.EmailField()

    @extend_schema(
        request=InputSerializer,
        responses=EMPTY_RESPONSE,
        summary="Send a password-reset email to the given address.",
        description="Always answers `{}`, whether or not the address has an account. The e-mail carries a "
        "single-use link `<portal>/reset-password?token=…`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        services.password_reset_request(email=data["email"])
        return Response({})


class ResetTokenExpiredCheckApi(OperationView):
    operation_id = "public.auth.check_reset_token_expired"
    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        token = serializers.CharField(max_length=256)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ResetTokenState"

        expired = serializers.BooleanField(help_text="True also when the token is unknown or was already used.")

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True, description="The token of the reset link.")],
        responses=OutputSerializer,
        summary="Check whether a password-reset token has expired.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        is_usable = selectors.password_reset_token_is_usable(token=query["token"])
        return Response(self.OutputSerializer({"expired": not is_usable}).data)


class PasswordResetApi(OperationView):
    operation_id = "public.auth.reset_password"
    permission_classes = [AllowAny]
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "password_reset"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ResetPassword"

        password = serializers.CharField(max_length=128, trim_whitespace=False, help_text="The new password.")
        token = serializers.CharField(max_length=256, help_text="The token of the reset link.")

    @extend_schema(
        request=InputSerializer,
        responses=EMPTY_RESPONSE,
        summary="Reset the password using a password-reset token.",
        description="The token works once. Every token (session) of the user dies. Errors: 400 "
        "`reset_token_invalid`, `password_too_weak`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        services.password_reset(token=data["token"], password=data["password"])
        return Response({})


class UserSecuritySettingsApi(OperationView):
    operation_id = "public.auth.get_user_security_settings"

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "UserSecuritySettings"

        email = serializers.EmailField(help_text="The user's e-mail address (where codes and reset links go).")
        password = serializers.ChoiceField(
            choices=PasswordStrength.choices,
            allow_blank=True,
            help_text="The strength of the user's current password; empty when unknown.",
        )
        required_password = serializers.ChoiceField(
            choices=PasswordStrength.choices, help_text="The strength the company requires of new passwords."
        )
        is_password_strong_enough = serializers.BooleanField(
            help_text="Whether the current password meets the requirement (false when its strength is unknown)."
        )
        email_verification_scenarios = serializers.ListField(
            child=serializers.ChoiceField(choices=VerificationScene.choices),
            help_text="The scenes in which an e-mail code is asked for.",
        )

    @extend_schema(responses=OutputSerializer, summary="Get the current user's security settings.")
    def get(self, request):
        return Response(self.OutputSerializer(selectors.user_security_settings(user=request.user)).data)
