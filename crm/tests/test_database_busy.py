"""A write that cannot get the database in time: 503 `database_busy` everywhere, nothing written."""

import sqlite3
import threading

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from crm.database_busy import is_database_busy
from crm.inbox.models import MessageState
from crm.inbox.tests.factories import MessageFactory
from crm.platforms import tasks
from crm.users.models import Language
from crm.users.tests.factories import UserFactory

MARK_READ = "/api/v1/client/message/mark-read"
LOCKED = OperationalError("database is locked")
BUSY_MESSAGE_EN = "The service is busy right now. Nothing was changed; please try again in a moment."


@pytest.fixture
def reader():
    return UserFactory(language=Language.EN_US)


@pytest.fixture
def message(reader):
    return MessageFactory(recipients=[reader])


@pytest.fixture
def reader_api(api, reader):
    """Signed in before any lock is taken: issuing the token writes it."""
    return api.login_as(reader)


@pytest.fixture
def held_by_another_writer(sqlite_only, monkeypatch):
    """Another process holds SQLite's write lock; our writers wait a tenth of a second for it."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.1)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.execute("ROLLBACK")
    other.close()
    connection.close()


def assert_busy_envelope(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "2"
    assert response.json() == {"code": "database_busy", "message": BUSY_MESSAGE_EN, "fields": {}}


def assert_busy_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/html")
    assert BUSY_MESSAGE_EN in response.content.decode()


def test_lock_errors_are_busy_and_other_errors_are_not():
    assert is_database_busy(OperationalError("database is locked"))
    assert is_database_busy(OperationalError("database table is locked: ledger_entry"))
    assert not is_database_busy(OperationalError("no such table: ledger_entry"))
    assert not is_database_busy(RuntimeError("database is locked"))


@pytest.mark.django_db(transaction=True)
def test_api_write_past_the_busy_timeout_answers_503_and_writes_nothing(reader_api, message, held_by_another_writer):
    response = reader_api.post(MARK_READ, {"id": message.pk}, format="json", HTTP_X_LANGUAGE="en-US")

    assert_busy_envelope(response)
    assert MessageState.objects.count() == 0


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's write lock from a second connection (PostgreSQL has no database-wide lock)")


@pytest.mark.django_db(transaction=True)
def test_api_write_waits_for_another_writer_instead_of_failing(api, reader, message, sqlite_only):
    client = api.login_as(reader)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: other.execute("ROLLBACK"))
    release.start()

    response = client.post(MARK_READ, {"id": message.pk}, format="json")

    release.join()
    other.close()
    assert response.status_code == 200
    assert MessageState.objects.get().read_at is not None


@pytest.fixture
def signed_in(reader):
    """A browser signed in before the lock is taken: signing in writes the session."""
    browser = Client()
    browser.force_login(reader)
    return browser


@pytest.mark.django_db(transaction=True)
def test_portal_write_past_the_busy_timeout_shows_a_friendly_page(signed_in, message, held_by_another_writer):
    response = signed_in.post(reverse("portal:message_hide", args=[message.pk]), HTTP_X_LANGUAGE="en-US")

    assert_busy_page(response)
    assert MessageState.objects.count() == 0


@pytest.mark.django_db
def test_api_renders_a_lock_error_from_any_database_as_database_busy(api, reader, message, monkeypatch):
    monkeypatch.setattr("crm.inbox.services.message_mark_read", raise_locked)

    response = api.login_as(reader).post(MARK_READ, {"id": message.pk}, format="json", HTTP_X_LANGUAGE="en-US")

    assert_busy_envelope(response)
    assert MessageState.objects.count() == 0


@pytest.mark.django_db
def test_portal_renders_a_lock_error_as_a_503_page(signed_in, message, monkeypatch):
    monkeypatch.setattr("crm.inbox.services.message_hide", raise_locked)

    response = signed_in.post(reverse("portal:message_hide", args=[message.pk]), HTTP_X_LANGUAGE="en-US")

    assert_busy_page(response)
    assert MessageState.objects.count() == 0


def raise_locked(**_kwargs):
    raise LOCKED


def test_worker_retries_a_task_that_found_the_database_busy(monkeypatch):
    calls = []

    class Done:
        status = "done"

    def execute(*, operation_id):
        calls.append(operation_id)
        if len(calls) < 3:
            raise LOCKED
        return Done()

    monkeypatch.setattr(tasks, "platform_operation_execute", execute)

    result = tasks.execute_platform_operation.apply(args=[7])

    assert (result.state, result.result) == ("SUCCESS", "done")
    assert calls == [7, 7, 7]


def test_worker_does_not_retry_other_database_errors(monkeypatch):
    calls = []

    def execute(*, operation_id):
        calls.append(operation_id)
        raise OperationalError("no such table: platforms_platformoperation")

    monkeypatch.setattr(tasks, "platform_operation_execute", execute)

    result = tasks.execute_platform_operation.apply(args=[7])

    assert result.state == "FAILURE"
    assert isinstance(result.result, OperationalError)
    assert calls == [7]
