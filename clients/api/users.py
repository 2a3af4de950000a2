"""client.user.*: registering, the client's KYC status and data, the registration template, saving KYC."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from clients import selectors, services
from clients.api.permissions import IsClient
from clients.api.presenters import (
    APPLY_STATUS_HELP,
    APPLY_STATUSES,
    ClientInfoSerializer,
    RegistrationTemplateSerializer,
    client_info_shown,
    registration_template_shown,
)
from clients.models import KycModule, KycStatus
from clients.services.kyc import ALL_MODULES
from crm.api.languages import request_language
from crm.api.schema import X_LANGUAGE
from crm.api.views import OperationView
from crm.users.api import client_ip
from crm.users.serializers import UserInfoSerializer
from crm.users.tokens import token_issue


class ClientRegisterApi(OperationView):
    operation_id = "client.user.register"
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [*OperationView.throttle_classes, ScopedRateThrottle]
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ClientRegister"

        email = serializers.EmailField(max_length=254, help_text="Compared case-insensitively; stored lower-cased.")
        password = serializers.CharField(
            max_length=128, trim_whitespace=False, help_text="Must meet the company's password rules."
        )
        email_code = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=16,
            help_text="E-mail verification code (public.verification.send_email_code, scene `register`); required "
            "when the company asks for one at registration (public.settings.get_security).",
        )
        invite_code = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=64,
            help_text="The referring IB's invite code, from a referral link; kept as given.",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ClientRegisterResult"

        token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
        user_info = UserInfoSerializer()

    @extend_schema(
        parameters=[X_LANGUAGE],
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Register a Client user (Client portal); returns a token and user info.",
        description="Creates a client (and their empty KYC application) and signs them in. The request's language "
        "becomes the user's. Errors: 400 `invalid_input`, `password_too_weak`, `email_code_required`, "
        "`email_code_invalid`, `email_code_expired`; 409 `email_already_registered`; 429 "
        "`email_code_too_many_attempts`, `throttled`.",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        with transaction.atomic():
            profile = services.client_register(
                email=data["email"],
                password=data["password"],
                invite_code=data.get("invite_code", ""),
                email_code=data.get("email_code") or None,
                language=request_language(),
            )
            token = token_issue(
                user=profile.user, ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")
            )
        return Response(self.OutputSerializer({"token": token, "user_info": profile.user}).data)


class ClientInfoApi(OperationView):
    operation_id = "client.user.get_info"
    permission_classes = [IsClient]

    @extend_schema(
        responses=ClientInfoSerializer,
        summary="Get the Client user's profile and KYC status.",
        description="Login required (clients and IBs; staff get 403 `not_a_portal_user`).",
    )
    def get(self, request):
        overview = selectors.kyc_overview(profile=selectors.client_profile_of(user=request.user))
        return Response(ClientInfoSerializer(client_info_shown(overview)).data)


class RegistrationTemplateApi(OperationView):
    operation_id = "client.user.get_registration_template"
    permission_classes = [IsClient]

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses=RegistrationTemplateSerializer,
        summary="Get the Client user registration (KYC) template.",
        description="The template the client fills in: the one they started with, else their country's, else the "
        "company's default; texts in the request's language. Each module says whether the template has it "
        "(`enabled`) and where the client's stands. Errors: 404 `registration_template_not_found` when the "
        "company has none.",
    )
    def get(self, request):
        profile = selectors.client_profile_of(user=request.user)
        selectors.registration_template_required(profile=profile)
        overview = selectors.kyc_overview(profile=profile)
        return Response(RegistrationTemplateSerializer(registration_template_shown(overview)).data)


class KycDataSaveApi(OperationView):
    operation_id = "client.user.save_kyc_data"
    permission_classes = [IsClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SaveKycData"

        current_module = serializers.ChoiceField(
            choices=[*KycModule.values, ALL_MODULES],
            help_text="The module being saved (it must be in `kyc_data`), or `all`: save what `kyc_data` holds "
            "(may be `{}`) and send the whole application for review.",
        )
        kyc_data = serializers.DictField(
            child=serializers.DictField(child=serializers.JSONField()),
            help_text="`{module: {field: value}}` as the template's fields say (client.user.get_registration_template)"
            '. `questionnaire` takes `{"questionnaire_id": …, "answers": [...]}` as client.questionnaire.save_answers;'
            " `e_verify` cannot be saved (it is passed through client.e_verify.*).",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SaveKycDataResult"

        kyc_status = serializers.ChoiceField(choices=KycStatus.choices, help_text="The application's status now.")
        apply_status = serializers.ChoiceField(choices=APPLY_STATUSES, help_text=APPLY_STATUS_HELP)

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Save the Client user's identity (KYC) information for a module.",
        description="Every field is checked against the client's template (required, type, choices, length; files "
        "must be the client's own). Saved modules stay `filling` until `all` sends the application (`pending`; "
        "approved at once after a passed e-verification when the company's rule says so). Errors: 400 "
        "`invalid_input` with fields `kyc_data.<module>.<field>`; 404 `registration_template_not_found`; 409 "
        "`kyc_incomplete` (with `missing_modules`), `kyc_not_editable` (under review or approved).",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        profile = services.kyc_data_save(
            profile=selectors.client_profile_of(user=request.user),
            current_module=data["current_module"],
            kyc_data=data["kyc_data"],
        )
        return Response(
            self.OutputSerializer(
                {"kyc_status": profile.kyc_status, "apply_status": selectors.apply_status_of(profile)}
            ).data
        )
