import boto3
import pytest
from moto import mock_aws

BUCKET = "crm-private"
REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/crm-uploads"


@pytest.fixture(autouse=True)
def portal_url(settings):
    settings.PORTAL_URL = "https://crm.example"


@pytest.fixture
def s3(settings, monkeypatch):
    """S3 (moto) as the private storage, without an STS role; yields a boto3 S3 client."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        settings.STORAGE_BACKEND = "s3"
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_REGION_NAME = REGION
        settings.AWS_S3_ENDPOINT_URL = None
        settings.AWS_ACCESS_KEY_ID = "testing"
        settings.AWS_SECRET_ACCESS_KEY = "testing"
        settings.AWS_STS_ROLE_ARN = ""
        settings.AWS_UPLOAD_PREFIX = "uploads"
        settings.AWS_DEFAULT_ACL = None
        settings.AWS_QUERYSTRING_EXPIRE = 900
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"querystring_auth": True}},
        }
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


def object_keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))
