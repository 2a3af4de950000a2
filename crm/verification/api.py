"""public.verification.* and public.captcha.*: e-mail codes and captcha checks."""

from __future__ import annotations

import time

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from crm.api.views import OperationView
from crm.configuration.models import AppKeys, SecuritySettings, VerificationScene
from crm.users.selectors import user_exists_with_email
from crm.verification import services
from crm.verification.captcha import captcha_verifier

# How far the client's clock may be from ours before `received_at` is not believed.
RECEIVED_AT_TOLERANCE_SECONDS = 24 * 60 * 60


class EmailCodeSendApi(OperationView):
    operation_id = "public.verification.send_email_code"
    permission_classes = [AllowAny]
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "email_code"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SendEmailCode"

        email = serializers.EmailField(
            required=False,
            help_text="Where to send the code. Required for `register`; for the other scenes the code goes to "
            "the signed-in user's own address (if given, it must be that address).",
        )
        received_at = serializers.IntegerField(
            help_text="When the client asked, in Unix seconds (not milliseconds); must be within a day of "
            "the server's clock."
        )
        scene = serializers.ChoiceField(
            choices=VerificationScene.choices,
            help_text="`register` needs no login; `withdrawal`, `transfer` and `password_change` need a "
            "logged-in user.",
        )

        def validate_received_at(self, value: int) -> int:
            if abs(value - time.time()) > RECEIVED_AT_TOLERANCE_SECONDS:
                raise serializers.ValidationError(_("Give the current time in Unix seconds."))
            return value

        def validate(self, data: dict) -> dict:
            if data["scene"] == VerificationScene.REGISTER and not data.get("email"):
                raise serializers.ValidationError({"email": [_("Give the e-mail address to register.")]})
            return data

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmailCodeSent"

        can_resend_at = serializers.IntegerField(help_text="Unix seconds from which another code may be asked for.")
        expired_at = serializers.IntegerField(help_text="Unix seconds at which this code stops working.")

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Send an email verification code for a given scene (register, withdrawal, transfer, password change).",
        description="Login required except for `register`. Errors: 409 `email_already_registered`, "
        "400 `email_mismatch`, 429 `email_code_resend_too_soon` / `email_code_daily_limit` (with "
        "Retry-After), 503 `email_unavailable`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        if data["scene"] != VerificationScene.REGISTER and request.user is None:
            raise exceptions.NotAuthenticated()
        code = services.email_code_send(email=data.get("email"), scene=data["scene"], user=request.user)
        resend_seconds = SecuritySettings.load().email_code_resend_seconds
        return Response(
            self.OutputSerializer(
                {
                    "can_resend_at": int(code.created_at.timestamp()) + resend_seconds,
                    "expired_at": int(code.expires_at.timestamp()),
                }
            ).data
        )


class EmailRegisteredCheckApi(OperationView):
    operation_id = "public.verification.check_email_registered"
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CheckEmailRegistered"

        email = serializers.EmailField(help_text="Compared case-insensitively.")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EmailRegistration"

        is_registered = serializers.BooleanField()

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Check whether an email address is already registered.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        return Response(self.OutputSerializer({"is_registered": user_exists_with_email(email=data["email"])}).data)


class TencentCaptchaVerifyApi(OperationView):
    operation_id = "public.captcha.verify_tencent_captcha"
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "VerifyTencentCaptcha"

        app_id = serializers.IntegerField(
            help_text="One of the Tencent captcha app ids of public.settings.get_app_keys."
        )
        rand_str = serializers.CharField(max_length=128, help_text="The `randstr` the captcha widget returned.")
        ticket = serializers.CharField(max_length=2048, help_text="The `ticket` the captcha widget returned.")
        user_ip = serializers.IPAddressField(help_text="The IP address of the user who solved the captcha.")

        def validate_app_id(self, value: int) -> int:
            if value not in AppKeys.load().tencent_app_ids():
                raise serializers.ValidationError(_("This is not one of the company's captcha apps."))
            return value

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CaptchaVerdict"

        is_valid = serializers.BooleanField(help_text="Whether Tencent accepted the ticket (CaptchaCode 1).")

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Verify a Tencent captcha ticket.",
        description="503 `captcha_unavailable` when Tencent cannot be reached or the app is not configured.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        is_valid = captcha_verifier("tencent").verify(
            ticket=data["ticket"], rand_str=data["rand_str"], user_ip=data["user_ip"], app_id=data["app_id"]
        )
        return Response(self.OutputSerializer({"is_valid": is_valid}).data)
