"""Credentials for direct uploads, and files on S3 (moto)."""

import base64
import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.sts.models import sts_backends

from crm.files.errors import FileNotFound, FileRejected
from crm.files.models import StoredFile
from crm.files.services import private_url, stored_file_from_url
from crm.files.tests.conftest import BUCKET, ROLE_ARN, object_keys
from crm.files.tests.factories import EXE, PDF, PNG
from crm.users.tests.factories import UserFactory

CREDENTIALS = "/api/v1/public/storage/get-oss-credentials"
UPLOAD = "/api/v1/public/storage/upload-file"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _company_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


# --- get_oss_credentials --------------------------------------------------------------------------


@pytest.mark.django_db
def test_local_storage_points_clients_to_the_upload_operation(user_api):
    response = user_api.get(CREDENTIALS, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 409
    assert response.json() == {
        "code": "storage_is_local",
        "message": "Files are kept on this server, not in a bucket: upload them to upload_url instead.",
        "fields": {},
        "upload_url": "/api/v1/public/storage/upload-file",
    }


@pytest.mark.django_db
def test_credentials_need_a_login(api, s3):
    response = api.get(CREDENTIALS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_sts_credentials_may_only_put_objects_under_the_users_folder(settings, s3, user, user_api):
    settings.AWS_STS_ROLE_ARN = ROLE_ARN

    with time_machine.travel(NOW, tick=False):
        response = user_api.get(CREDENTIALS)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_key_id",
        "access_key_secret",
        "security_token",
        "bucket_name",
        "bucket_region",
        "bucket_dir",
        "expiration",
        "presigned_post",
    }
    assert {key: body[key] for key in ("bucket_name", "bucket_region", "bucket_dir", "expiration")} == {
        "bucket_name": BUCKET,
        "bucket_region": "us-east-1",
        "bucket_dir": f"uploads/{user.pk}/",
        "expiration": "2026-03-01 12:15:00",
    }
    assert body["presigned_post"] is None
    assert body["access_key_id"] and body["access_key_secret"] and body["security_token"]

    role = sts_backends["123456789012"]["aws"].get_assumed_role_from_access_key(body["access_key_id"])
    assert (role.role_arn, role.session_name) == (ROLE_ARN, f"crm-upload-{user.pk}")
    assert json.loads(role.policy) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{BUCKET}/uploads/{user.pk}/*"],
            }
        ],
    }


@pytest.mark.django_db
def test_without_a_role_clients_get_a_presigned_post_for_their_folder(settings, s3, user, user_api):
    settings.UPLOAD_MAX_BYTES = 1000

    with time_machine.travel(NOW, tick=False):
        response = user_api.get(CREDENTIALS)

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("access_key_id", "access_key_secret", "security_token")} == {
        "access_key_id": "",
        "access_key_secret": "",
        "security_token": "",
    }
    assert (body["bucket_dir"], body["expiration"]) == (f"uploads/{user.pk}/", "2026-03-01 12:15:00")
    post = body["presigned_post"]
    assert post["url"] == f"https://{BUCKET}.s3.amazonaws.com/"
    assert post["fields"]["key"] == f"uploads/{user.pk}/${{filename}}"
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    assert ["starts-with", "$key", f"uploads/{user.pk}/"] in policy["conditions"]
    assert ["content-length-range", 1, 1000] in policy["conditions"]
    assert policy["expiration"] == "2026-03-01T04:15:00Z"


# --- uploads and links on S3 ----------------------------------------------------------------------


@pytest.mark.django_db
def test_uploads_go_to_the_bucket_and_links_are_presigned(s3, user, user_api):
    with time_machine.travel(NOW, tick=False):
        response = user_api.post(
            UPLOAD, {"file": SimpleUploadedFile("receipt.pdf", PDF, "application/pdf"), "purpose": "deposit_receipt"}
        )

    assert response.status_code == 200, response.json()
    stored_file = StoredFile.objects.get()
    assert object_keys(s3) == [stored_file.file.name]
    assert s3.get_object(Bucket=BUCKET, Key=stored_file.file.name)["Body"].read() == PDF
    url = urlsplit(response.json()["url"])
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == (f"{BUCKET}.s3.amazonaws.com", f"/{stored_file.file.name}")
    assert query["response-content-type"] == ["application/pdf"]
    assert query["Expires"] == [str(int(NOW.timestamp()) + 900)]
    assert "Signature" in query
    # The presigned URL leads back to the file, for its owner only.
    assert stored_file_from_url(url=response.json()["url"], owner=user) == stored_file
    with pytest.raises(FileNotFound):
        stored_file_from_url(url=response.json()["url"], owner=UserFactory())


def post_directly(credentials: dict, name: str, content: bytes) -> requests.Response:
    post = credentials["presigned_post"]
    return requests.post(post["url"], data=post["fields"], files={"file": (name, content)}, timeout=5)


@pytest.mark.django_db
def test_a_direct_upload_is_copied_checked_and_registered_once(s3, user, user_api):
    uploaded = post_directly(user_api.get(CREDENTIALS).json(), "passport.png", PNG)
    assert uploaded.status_code == 204, uploaded.text
    url = f"https://{BUCKET}.s3.amazonaws.com/uploads/{user.pk}/passport.png"

    stored_file = stored_file_from_url(url=url, owner=user, purpose=StoredFile.Purpose.KYC_DOCUMENT)

    assert (stored_file.owner, stored_file.purpose, stored_file.content_type) == (user, "kyc_document", "image/png")
    assert (stored_file.original_name, stored_file.size) == ("passport.png", len(PNG))
    assert stored_file.file.name.startswith(f"files/{user.pk}/")
    assert default_storage.open(stored_file.file.name).read() == PNG
    # The same upload is the same file; found by anyone else, it is nothing.
    assert stored_file_from_url(url=url, owner=user) == stored_file
    with pytest.raises(FileNotFound):
        stored_file_from_url(url=url, owner=UserFactory())
    assert StoredFile.objects.count() == 1
    # A new upload to the same key is a new file.
    post_directly(user_api.get(CREDENTIALS).json(), "passport.png", PNG + b"v2")
    assert stored_file_from_url(url=url, owner=user) != stored_file


@pytest.mark.django_db
def test_a_direct_upload_of_the_wrong_type_is_refused_and_its_copy_removed(s3, user, user_api):
    post_directly(user_api.get(CREDENTIALS).json(), "photo.png", EXE)
    url = f"https://{BUCKET}.s3.amazonaws.com/uploads/{user.pk}/photo.png"

    with pytest.raises(FileRejected) as refusal:
        stored_file_from_url(url=url, owner=user)

    assert refusal.value.code == "file_type_not_allowed"
    assert not StoredFile.objects.exists()
    assert object_keys(s3) == [f"uploads/{user.pk}/photo.png"]


@pytest.mark.django_db
def test_a_direct_upload_over_the_limit_is_refused_without_a_copy(settings, s3, user):
    s3.put_object(Bucket=BUCKET, Key=f"uploads/{user.pk}/big.png", Body=PNG)
    settings.UPLOAD_MAX_BYTES = len(PNG) - 1

    with pytest.raises(FileRejected) as refusal:
        stored_file_from_url(url=f"/{BUCKET}/uploads/{user.pk}/big.png", owner=user)

    assert refusal.value.code == "file_too_large"
    assert object_keys(s3) == [f"uploads/{user.pk}/big.png"]


@pytest.mark.django_db
def test_missing_objects_and_other_users_folders_are_not_found(s3, user):
    someone = UserFactory()
    s3.put_object(Bucket=BUCKET, Key=f"uploads/{someone.pk}/theirs.png", Body=PNG)

    for url in (
        f"https://{BUCKET}.s3.amazonaws.com/uploads/{user.pk}/missing.png",
        f"https://{BUCKET}.s3.amazonaws.com/uploads/{someone.pk}/theirs.png",
        f"https://s3.us-east-1.amazonaws.com/{BUCKET}/uploads/{someone.pk}/theirs.png",
    ):
        with pytest.raises(FileNotFound):
            stored_file_from_url(url=url, owner=user)
    assert not StoredFile.objects.exists()


@pytest.mark.django_db
def test_private_url_on_s3_names_the_file(s3, user):
    s3.put_object(Bucket=BUCKET, Key="files/1/a.png", Body=PNG)
    stored_file = StoredFile.objects.create(
        owner=user, file="files/1/a.png", original_name="a.png", content_type="image/png", size=1, sha256="x"
    )

    query = parse_qs(urlsplit(private_url(stored_file=stored_file)).query)

    assert query["response-content-disposition"] == ['inline; filename="a.png"']
    assert requests.get(private_url(stored_file=stored_file), timeout=5).content == PNG


@pytest.mark.django_db
def test_a_failing_credential_service_is_503(settings, s3, user_api, monkeypatch):
    from botocore.exceptions import ClientError

    from crm.files.credentials import UploadCredentialsProvider

    def refuse(self, **kwargs):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "AssumeRole")

    settings.AWS_STS_ROLE_ARN = ROLE_ARN
    monkeypatch.setattr(UploadCredentialsProvider, "assumed_role", refuse)

    response = user_api.get(CREDENTIALS)

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
