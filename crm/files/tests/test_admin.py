import pytest
import time_machine

from crm.files.models import StoredFile
from crm.files.selectors import download_token
from crm.files.tests.factories import StoredFileFactory
from crm.users.tests.factories import StaffFactory, UserFactory


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.mark.django_db
@time_machine.travel("2026-12-01 09:00:00+00:00", tick=False)  # the signed link carries the second it was made
def test_staff_find_files_by_owner_and_open_them(staff_client):
    mine = StoredFileFactory(owner=UserFactory(email="alice@example.com"))
    StoredFileFactory(owner=UserFactory(email="bob@example.com"))

    response = staff_client.get("/admin/files/storedfile/", {"q": "alice"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    assert f"https://crm.example/files/{download_token(stored_file=mine)}/" in response.content.decode()


@pytest.mark.django_db
def test_files_are_read_only_in_the_admin(staff_client):
    stored_file = StoredFileFactory()

    assert staff_client.get(f"/admin/files/storedfile/{stored_file.pk}/change/").status_code == 200
    assert staff_client.post(f"/admin/files/storedfile/{stored_file.pk}/change/", {}).status_code == 403
    assert staff_client.get("/admin/files/storedfile/add/").status_code == 403
    assert staff_client.post(f"/admin/files/storedfile/{stored_file.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StoredFile.objects.get() == stored_file
