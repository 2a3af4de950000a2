"""public.storage.*: credentials for direct uploads to the bucket, and uploads through us."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from crm.api.views import OperationView
from crm.files import services
from crm.files.credentials import UploadCredentialsProvider
from crm.files.models import StoredFile


class StorageErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class StorageIsLocalErrorSerializer(StorageErrorSerializer):
    upload_url = serializers.CharField(help_text="Path of `public.storage.upload_file`, to upload through us.")


class PresignedPostSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="POST a multipart form here.")
    fields = serializers.DictField(
        child=serializers.CharField(),
        help_text="Form fields to send as they are, before the `file` field. The `key` field contains "
        "`${filename}`, which the bucket replaces with the uploaded file's name.",
    )


class OssCredentialsApi(OperationView):
    operation_id = "public.storage.get_oss_credentials"
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        access_key_id = serializers.CharField(help_text='Temporary access key id; "" with a presigned POST.')
        access_key_secret = serializers.CharField(help_text='Temporary secret key; "" with a presigned POST.')
        security_token = serializers.CharField(help_text='STS session token; "" with a presigned POST.')
        bucket_name = serializers.CharField()
        bucket_region = serializers.CharField()
        bucket_dir = serializers.CharField(help_text="The only folder (key prefix) the credentials may write to.")
        expiration = serializers.DateTimeField(help_text="When the credentials stop working (company time zone).")
        presigned_post = PresignedPostSerializer(
            allow_null=True, help_text="Set instead of the keys when the server has no STS role; null otherwise."
        )

    @extend_schema(
        responses={
            200: OutputSerializer,
            409: OpenApiResponse(StorageIsLocalErrorSerializer, description="`storage_is_local`"),
            503: OpenApiResponse(StorageErrorSerializer, description="`storage_unavailable`"),
        },
        summary="Get temporary access credentials for direct uploads to the object storage.",
        description="Login required. The credentials allow only `PutObject` under `bucket_dir` "
        "(`<prefix>/<user id>/`) for 15 minutes. Hand the uploaded object's URL to the operation that needs "
        "the file; it is checked then. When the server keeps files itself the answer is 409 "
        "`storage_is_local` with `upload_url`.",
    )
    def get(self, request):
        credentials = UploadCredentialsProvider().issue(user=request.user)
        return Response(self.OutputSerializer(credentials).data)


class UploadFileApi(OperationView):
    operation_id = "public.storage.upload_file"
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "upload"

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="JPEG, PNG, WEBP or PDF; the type is read from the content.")
        purpose = serializers.ChoiceField(choices=StoredFile.Purpose.choices)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        url = serializers.SerializerMethodField(help_text="Signed link to the file; expires after a while.")
        name = serializers.CharField(source="original_name")
        content_type = serializers.CharField()
        size = serializers.IntegerField(help_text="Bytes.")

        def get_url(self, stored_file: StoredFile) -> str:
            return services.private_url(stored_file=stored_file)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={200: OutputSerializer},
        summary="Upload a file (KYC document, receipt, avatar) to the private storage.",
        description="Login required. Refused with `file_type_not_allowed` or `file_too_large` (field `file`). "
        "Hand the returned `url` to the operation that needs the file.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        stored_file = services.file_store(owner=request.user, upload=body["file"], purpose=body["purpose"])
        return Response(self.OutputSerializer(stored_file).data)
