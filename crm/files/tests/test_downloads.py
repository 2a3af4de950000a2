from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from crm.files.errors import FileNotFound
from crm.files.models import StoredFile
from crm.files.selectors import download_token
from crm.files.services import private_url, stored_file_from_url
from crm.files.tests.factories import PDF, PNG, StoredFileFactory
from crm.users.tests.factories import UserFactory


@pytest.fixture
def stored_file(db):
    return StoredFileFactory(original_name="护照 scan.png")


@pytest.mark.django_db
def test_a_signed_link_serves_the_file_inline_with_its_checked_type(client, stored_file):
    response = client.get(private_url(stored_file=stored_file))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%E6%8A%A4%E7%85%A7%20scan.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.django_db
def test_a_pdf_is_served_as_a_pdf(client):
    stored_file = StoredFileFactory(content=PDF, original_name="statement.pdf", content_type="application/pdf")

    response = client.get(private_url(stored_file=stored_file))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="statement.pdf"'


@pytest.mark.django_db
def test_a_link_expires(client, settings, stored_file):
    url = private_url(stored_file=stored_file)

    with time_machine.travel(timezone.now() + settings.PRIVATE_FILE_URL_LIFETIME - timedelta(seconds=5)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + settings.PRIVATE_FILE_URL_LIFETIME + timedelta(seconds=5)):
        response = client.get(url, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 403
    assert response.json() == {
        "code": "link_expired",
        "message": "This link has expired; ask for the file again.",
        "fields": {},
    }


@pytest.mark.django_db
def test_a_tampered_link_is_refused(client, stored_file):
    other = StoredFileFactory()
    token = download_token(stored_file=stored_file)
    forged = f"{other.pk}:{token.split(':', 1)[1]}"

    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense"):
        response = client.get(f"/files/{bad}/", HTTP_X_LANGUAGE="en-US")
        assert response.status_code == 404
        assert response.json() == {"code": "file_not_found", "message": "File not found.", "fields": {}}


@pytest.mark.django_db
def test_a_link_to_a_file_gone_from_storage_is_404(client, stored_file):
    url = private_url(stored_file=stored_file)
    stored_file.file.delete(save=False)

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_downloads_are_read_only(client, stored_file):
    assert client.post(private_url(stored_file=stored_file)).status_code == 405


# --- stored_file_from_url -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_gets_their_file_back_from_its_link_even_after_it_expired(settings, stored_file):
    url = private_url(stored_file=stored_file)

    assert stored_file_from_url(url=url, owner=stored_file.owner) == stored_file
    with time_machine.travel(timezone.now() + settings.PRIVATE_FILE_URL_LIFETIME * 10):
        assert stored_file_from_url(url=url, owner=stored_file.owner) == stored_file


@pytest.mark.django_db
def test_nobody_else_resolves_your_link(stored_file):
    url = private_url(stored_file=stored_file)

    with pytest.raises(FileNotFound) as refusal:
        stored_file_from_url(url=url, owner=UserFactory())

    assert (refusal.value.status, refusal.value.code) == (404, "file_not_found")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://crm.example/files/nonsense/",
        "https://elsewhere.example/a.png",
        "/api/v1/public/storage/upload-file",
    ],
)
def test_other_urls_resolve_to_nothing(stored_file, url):
    with pytest.raises(FileNotFound) as refusal:
        stored_file_from_url(url=url, owner=stored_file.owner)

    assert refusal.value.code == "file_not_found"
    assert StoredFile.objects.count() == 1
