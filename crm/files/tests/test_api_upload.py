import hashlib

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.throttling import ScopedRateThrottle

from crm.files.models import StoredFile
from crm.files.selectors import download_token
from crm.files.tests.factories import EXE, JPEG, PDF, PNG, TEXT, WEBP

URL = "/api/v1/public/storage/upload-file"


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_names(private_storage) -> list[str]:
    return sorted(str(path.relative_to(private_storage)) for path in private_storage.rglob("*") if path.is_file())


@pytest.mark.django_db
@time_machine.travel("2026-12-01 09:00:00+00:00", tick=False)  # the signed link carries the second it was made
def test_stores_an_upload_and_answers_with_a_signed_link(user, user_api, private_storage):
    response = user_api.post(URL, {"file": upload("护照.png", PNG), "purpose": "kyc_document"})

    assert response.status_code == 200, response.json()
    stored_file = StoredFile.objects.get()
    assert response.json() == {
        "id": stored_file.pk,
        "url": f"https://crm.example/files/{download_token(stored_file=stored_file)}/",
        "name": "护照.png",
        "content_type": "image/png",
        "size": len(PNG),
    }
    assert (stored_file.owner, stored_file.purpose) == (user, "kyc_document")
    assert stored_file.sha256 == hashlib.sha256(PNG).hexdigest()
    assert stored_file.file.name.startswith(f"files/{user.pk}/") and stored_file.file.name.endswith(".png")
    with default_storage.open(stored_file.file.name) as handle:
        assert handle.read() == PNG
    assert stored_names(private_storage) == [stored_file.file.name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "declared", "expected"),
    [
        ("photo.jpg", JPEG, "image/jpeg", "image/jpeg"),
        ("photo.webp", WEBP, "image/webp", "image/webp"),
        ("statement.pdf", PDF, "application/pdf", "application/pdf"),
        # The content decides, not the name or the declared type.
        ("scan.bin", PDF, "application/octet-stream", "application/pdf"),
    ],
)
def test_accepts_each_type_by_its_content(user_api, name, content, declared, expected):
    response = user_api.post(URL, {"file": upload(name, content, declared), "purpose": "deposit_receipt"})

    assert response.status_code == 200, response.json()
    assert response.json()["content_type"] == expected
    assert StoredFile.objects.get().content_type == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "purpose"),
    [
        ("setup.exe", EXE, "other"),
        ("photo.png", EXE, "other"),  # a program renamed
        ("photo.png", TEXT, "kyc_document"),  # text renamed
        ("avatar.pdf", PDF, "avatar"),  # avatars are images
    ],
)
def test_refuses_other_types(user_api, private_storage, name, content, purpose):
    response = user_api.post(URL, {"file": upload(name, content), "purpose": purpose}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "file_type_not_allowed"
    assert list(body["fields"]) == ["file"]
    assert not StoredFile.objects.exists()
    assert stored_names(private_storage) == []


@pytest.mark.django_db
def test_refuses_types_the_company_does_not_accept(settings, user_api):
    settings.UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png"]

    response = user_api.post(URL, {"file": upload("a.pdf", PDF), "purpose": "other"}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json()["message"] == "This kind of file is not accepted; upload one of: JPG, PNG."
    assert not StoredFile.objects.exists()


@pytest.mark.django_db
def test_refuses_files_over_the_limit(settings, user_api, private_storage):
    settings.UPLOAD_MAX_BYTES = len(PNG) - 1

    response = user_api.post(URL, {"file": upload("big.png", PNG), "purpose": "other"}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert response.json()["fields"] == {"file": [f"At most {(len(PNG) - 1) / 1048576:g} MB."]}
    assert not StoredFile.objects.exists()
    assert stored_names(private_storage) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"purpose": "other"}, {"file"}),
        ({"file": "not a file", "purpose": "other"}, {"file"}),
        ({"file": upload("empty.png", b"")}, {"file", "purpose"}),
        ({"file": upload("a.png", PNG), "purpose": "selfie"}, {"purpose"}),
    ],
)
def test_refuses_missing_or_malformed_fields(user_api, data, fields):
    response = user_api.post(URL, data)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields
    assert not StoredFile.objects.exists()


@pytest.mark.django_db
def test_uploads_need_a_login(api, private_storage):
    response = api.post(URL, {"file": upload("a.png", PNG), "purpose": "other"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not StoredFile.objects.exists()
    assert stored_names(private_storage) == []


@pytest.mark.django_db
def test_uploads_are_throttled(user_api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"upload": "2/min"})

    statuses = [user_api.post(URL, {"file": upload("a.png", PNG), "purpose": "other"}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert StoredFile.objects.count() == 2
