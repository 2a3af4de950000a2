"""Fixtures every test can use."""

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import translation
from rest_framework.test import APIClient

from crm.celery import app as celery_app
from crm.users.tests.factories import UserFactory
from crm.users.tokens import token_issue


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file with the project's options (WAL, IMMEDIATE), not in memory.

    Concurrency tests run real threads, each on its own connection: they can only share a file.
    The file is this run's own, so two runs never meet.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test starts with an empty cache (throttles, attempt counters) and its own files."""
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        # Test runs must not clear each other's cache (Redis in CI is one run at a time).
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": str(tmp_path / "cache")}}
    if settings.STORAGE_BACKEND == "local":
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
            },
        }
    # Argon2 is deliberately slow; tests that care about hashing ask for `project_password_hashers`.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CAPTCHA_VERIFIER = "fake"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    # Every request activates its language and leaves it active (as Django's LocaleMiddleware
    # does); start each test from the default so no test inherits the last one's language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def project_password_hashers(settings):
    from crm import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


@pytest.fixture
def memory_cache(settings):
    """An in-process cache, for tests that travel in time: Redis expires keys by its own clock."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def private_storage(tmp_path):
    """The folder of this test's private storage."""
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def sent_tasks(request, monkeypatch):
    """Tasks the services send (operation ids), recorded instead of reaching a broker.

    Tests that use `celery_eager` get the real sending, run in process.
    """
    if "celery_eager" in request.fixturenames:
        yield None
        return
    sent: list[int] = []
    monkeypatch.setattr("crm.platforms.services._send", sent.append)
    yield sent


@pytest.fixture
def celery_eager():
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


@pytest.fixture
def api():
    """An anonymous API client; `api.login_as(user)` signs it in with a bearer token."""
    client = APIClient()

    def login_as(user):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")
        return client

    client.login_as = login_as
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def user_api(api, user):
    return api.login_as(user)


@pytest.fixture
def browser(monkeypatch):
    """Chromium under Playwright, for the browser tests (`crm/tests/browser.py`)."""
    from playwright.sync_api import sync_playwright

    from crm.tests.browser import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes here are
    # plain synchronous ones, between browser steps.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The ORM calls made while Playwright runs get their own connections; close them, or the
            # test database cannot be dropped at the end of the run (PostgreSQL).
            connections.close_all()
