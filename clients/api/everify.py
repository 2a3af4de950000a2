"""client.e_verify.*: electronic identity verification sessions."""

from __future__ import annotations

from django.core.validators import URLValidator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clients import selectors, services
from clients.api.permissions import IsClient
from clients.api.presenters import e_verify_result_shown
from clients.models import EVerifySession
from crm.api.views import OperationView

WEB_URL = URLValidator(schemes=["http", "https"])


class EVerifySessionCreateApi(OperationView):
    operation_id = "client.e_verify.create_session"
    permission_classes = [IsClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CreateEVerifySession"

        failed_url = serializers.URLField(
            max_length=2000, validators=[WEB_URL], help_text="Redirect URL on verification failure (http or https)."
        )
        success_url = serializers.URLField(
            max_length=2000, validators=[WEB_URL], help_text="Redirect URL on verification success (http or https)."
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EVerifySessionCreated"

        session_id = serializers.CharField(help_text="For client.e_verify.get_result.")
        redirect_url = serializers.CharField(help_text="Send the client here to verify.")
        expire_at = serializers.DateTimeField(help_text="The session is void after this time.")
        attempt_times = serializers.IntegerField(help_text="This is the client's n-th session.")
        retry_times = serializers.IntegerField(help_text="Sessions the client may still start after this one.")

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Create an electronic identity-verification (e-KYC) session; returns a redirect URL.",
        description="The client verifies at `redirect_url` and is sent back to `success_url` or `failed_url`; the "
        "provider reports the result to the server, so read it with client.e_verify.get_result. Errors: 400 "
        "`invalid_input`; 404 `registration_template_not_found`; 409 `e_verify_not_available` (not in the client's "
        "template), `e_verify_already_approved`, `e_verify_session_active` (with `session_id`), "
        "`e_verify_attempts_exhausted`, `kyc_not_editable` (already approved).",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        session = services.e_verify_session_create(
            profile=selectors.client_profile_of(user=request.user),
            success_url=data["success_url"],
            failed_url=data["failed_url"],
        )
        return Response(self.OutputSerializer(session).data)


class EVerifyResultApi(OperationView):
    operation_id = "client.e_verify.get_result"
    permission_classes = [IsClient]

    class QuerySerializer(serializers.Serializer):
        session_id = serializers.CharField(max_length=64)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EVerifyResult"

        status = serializers.ChoiceField(
            choices=EVerifySession.Status.choices,
            help_text="`pending` until the provider reports; `approved`, `declined` (see the reason), or `expired`.",
        )
        attempt_times = serializers.IntegerField(help_text="This session was the client's n-th.")
        retry_times = serializers.IntegerField(help_text="Sessions the client could still start after it.")
        reason_code = serializers.CharField(help_text='The provider\'s reason for a decline or expiry; "" otherwise.')
        reason_msg = serializers.CharField(help_text='The reason, in words; "" otherwise.')
        session_id = serializers.CharField()
        expire_at = serializers.DateTimeField()
        completed_at = serializers.DateTimeField(allow_null=True, help_text="When the result came; null while pending.")

    @extend_schema(
        parameters=[OpenApiParameter("session_id", str, required=True, description="Session ID")],
        responses=OutputSerializer,
        summary="Get the result of an electronic identity-verification session.",
        description="The client's own sessions only: anyone else's is 404 `e_verify_session_not_found`, like an "
        "unknown one.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        profile = selectors.client_profile_of(user=request.user)
        session = selectors.e_verify_session_of(profile=profile, session_id=query["session_id"])
        shown = e_verify_result_shown(session, selectors.e_verify_status_of(session))
        return Response(self.OutputSerializer(shown).data)
