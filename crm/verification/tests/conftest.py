import pytest
from django.utils import translation

from crm.configuration.models import AppKeys, SecuritySettings
from crm.verification.tests.stub_server import SECRET_ID, SECRET_KEY, StubServer, serve, tencent_answer


@pytest.fixture(autouse=True)
def english(api):
    """Messages are asserted in English, whatever catalogues are compiled."""
    api.defaults["HTTP_X_LANGUAGE"] = "en-US"
    with translation.override("en"):
        yield


@pytest.fixture
def security(db):
    """The company's security settings row; change attributes and `.save()`."""
    return SecuritySettings.load()


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stub = StubServer(reply=tencent_answer())
    server, thread = serve(stub)
    yield stub
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def tencent(settings, stub, db):
    settings.CAPTCHA_VERIFIER = "tencent"
    settings.TENCENT_CAPTCHA_ENDPOINT = stub.url
    settings.TENCENT_CAPTCHA_SECRET_ID = SECRET_ID
    settings.TENCENT_CAPTCHA_SECRET_KEY = SECRET_KEY
    settings.CAPTCHA_TIMEOUT_SECONDS = 0.5
    keys = AppKeys.load()
    keys.tencent_web_app_id = 190001
    keys.tencent_ios_app_id = 190002
    keys.tencent_app_secret_keys = {"190001": "web-app-secret", "190002": "ios-app-secret"}
    keys.save()
    return stub


@pytest.fixture
def google(settings, stub, db):
    settings.CAPTCHA_VERIFIER = "recaptcha"
    settings.RECAPTCHA_ENDPOINT = stub.url
    keys = AppKeys.load()
    keys.recaptcha_secret_key = "google-secret"
    keys.save()
    return stub
