"""Temporary credentials with which a client uploads straight to the bucket, only under its own folder.

With `AWS_STS_ROLE_ARN`: STS AssumeRole with an inline policy that narrows the role to `s3:PutObject`
under `<AWS_UPLOAD_PREFIX>/<user id>/` (the spec's OSS STS flow). Without a role: a presigned POST
limited to that prefix and to `UPLOAD_MAX_BYTES`. With local storage there is no bucket: clients
use `public.storage.upload_file` instead.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.files.errors import StorageIsLocal
from crm.files.services import storage_unavailable, upload_prefix_for
from crm.users.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadCredentials:
    bucket_name: str
    bucket_region: str
    bucket_dir: str
    expiration: datetime
    access_key_id: str = ""
    access_key_secret: str = ""
    security_token: str = ""
    # {"url": …, "fields": {…}}: a form the client posts the file to (no STS role configured).
    presigned_post: dict | None = None


class UploadCredentialsProvider:
    # STS's shortest session; long enough to pick and upload a file.
    lifetime = timedelta(minutes=15)

    def issue(self, *, user: User) -> UploadCredentials:
        if settings.STORAGE_BACKEND != "s3":
            raise StorageIsLocal(
                code="storage_is_local",
                message=_("Files are kept on this server, not in a bucket: upload them to upload_url instead."),
                extra={"upload_url": reverse("public.storage.upload_file")},
            )
        bucket_dir = upload_prefix_for(user)
        try:
            if settings.AWS_STS_ROLE_ARN:
                return self.assumed_role(user=user, bucket_dir=bucket_dir)
            return self.presigned_post(bucket_dir=bucket_dir)
        except (BotoCoreError, ClientError) as error:
            raise storage_unavailable(error) from error

    def upload_policy(self, *, bucket_dir: str) -> dict:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:PutObject"],
                    "Resource": [f"arn:aws:s3:::{settings.AWS_STORAGE_BUCKET_NAME}/{bucket_dir}*"],
                }
            ],
        }

    def assumed_role(self, *, user: User, bucket_dir: str) -> UploadCredentials:
        sts = boto3.client(
            "sts",
            region_name=settings.AWS_S3_REGION_NAME,
            endpoint_url=getattr(settings, "AWS_STS_ENDPOINT_URL", None) or None,
            # None falls back to boto3's own chain (environment, instance role, …).
            aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
            aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        )
        credentials = sts.assume_role(
            RoleArn=settings.AWS_STS_ROLE_ARN,
            RoleSessionName=f"crm-upload-{user.pk}",
            Policy=json.dumps(self.upload_policy(bucket_dir=bucket_dir)),
            DurationSeconds=int(self.lifetime.total_seconds()),
        )["Credentials"]
        return UploadCredentials(
            access_key_id=credentials["AccessKeyId"],
            access_key_secret=credentials["SecretAccessKey"],
            security_token=credentials["SessionToken"],
            bucket_name=settings.AWS_STORAGE_BUCKET_NAME,
            bucket_region=settings.AWS_S3_REGION_NAME,
            bucket_dir=bucket_dir,
            expiration=credentials["Expiration"],
        )

    def presigned_post(self, *, bucket_dir: str) -> UploadCredentials:
        client = default_storage.connection.meta.client
        post = client.generate_presigned_post(
            Bucket=settings.AWS_STORAGE_BUCKET_NAME,
            # S3 puts the uploaded file's own name where `${filename}` is.
            Key=bucket_dir + "${filename}",
            Conditions=[
                ["starts-with", "$key", bucket_dir],
                ["content-length-range", 1, settings.UPLOAD_MAX_BYTES],
            ],
            ExpiresIn=int(self.lifetime.total_seconds()),
        )
        return UploadCredentials(
            bucket_name=settings.AWS_STORAGE_BUCKET_NAME,
            bucket_region=settings.AWS_S3_REGION_NAME,
            bucket_dir=bucket_dir,
            expiration=timezone.now() + self.lifetime,
            presigned_post={"url": post["url"], "fields": post["fields"]},
        )
