"""No back-office page shows a secret: every model that holds one, its list and its page, seen by a superuser."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients.trading import services as trading
from clients.trading.models import AccountApplication, TradingSettings
from clients.trading.tests.factories import TradingAccountTypeFactory, client_user
from crm.audit.models import AuditEntry
from crm.configuration.models import AppKeys
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.hashing import digest
from crm.users.models import ApiToken
from crm.users.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from crm.users.tokens import token_issue
from crm.verification.tests.factories import EmailCodeFactory
from funds.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    superuser = StaffFactory(email="root@example.com")
    client.force_login(superuser)
    client.superuser = superuser
    return client


def secret_holders(superuser, settings) -> tuple[list[str], list[str]]:
    """One row of every model that holds a secret: (the admin pages to look at, the secrets to look for)."""
    settings.PAYMENT_SIMULATOR_SECRET = "payment-secret-20"
    settings.TENCENT_CAPTCHA_SECRET_KEY = "tencent-api-secret-21"
    settings.GOOGLE_CLIENT_SECRET = "google-env-secret-22"
    online_channel = ChannelFactory(provider="simulated")
    holder = client_user(email="holder@example.com")
    raw_token = token_issue(user=holder)
    token = ApiToken.objects.get(key_hash=digest(raw_token))
    code = EmailCodeFactory(email=holder.email, code="482913")

    account_type = TradingAccountTypeFactory()
    server = account_type.server
    with transaction.atomic():
        operation = platform_operation_enqueue(
            server=server,
            kind=PlatformOperation.Kind.SET_PASSWORD,
            payload={"login": 500000, "kind": "main", "password": "Op-Secret-11"},
            idempotency_key="password-change-1",
        )
    TradingSettings.objects.create(live_applications_auto_approve=False)
    application = trading.account_application_create(
        user=holder,
        account_type_id=account_type.pk,
        trading_platform=account_type.platform,
        is_demo=False,
        currency="USD",
        leverage=100,
        password="App-Secret-12",
        observe_password="App-Watch-13",
    )
    application = AccountApplication.objects.get(pk=application.pk)

    keys = AppKeys.load()
    keys.recaptcha_secret_key = "recaptcha-secret-14"
    keys.tencent_web_app_id = 190001
    keys.tencent_app_secret_keys = {"190001": "tencent-secret-15"}
    keys.save()

    device = TOTPDevice.objects.create(user=UserFactory(email="other-staff@example.com", role="staff"), name="phone")
    own_device = TOTPDevice.objects.create(user=superuser, name="my phone")
    google = SocialApp.objects.create(
        provider="google",
        name="Google",
        client_id="google-client-id",
        secret="google-client-secret-16",
        settings={"private_key": "google-private-key-17"},
    )
    social_account = SocialAccount.objects.create(user=holder, provider="google", uid="g-1")
    social_token = SocialToken.objects.create(
        app=google, account=social_account, token="oauth-token-18", token_secret="oauth-secret-19"
    )

    pages = [
        "/admin/users/user/",
        f"/admin/users/user/{holder.pk}/change/",
        f"/admin/users/user/{holder.pk}/password/",
        "/admin/users/apitoken/",
        f"/admin/users/apitoken/{token.pk}/change/",
        "/admin/verification/emailcode/",
        f"/admin/verification/emailcode/{code.pk}/change/",
        "/admin/platforms/platformoperation/",
        f"/admin/platforms/platformoperation/{operation.pk}/change/",
        "/admin/platforms/tradingserver/",
        f"/admin/platforms/tradingserver/{server.pk}/change/",
        "/admin/trading/accountapplication/",
        f"/admin/trading/accountapplication/{application.pk}/change/",
        "/admin/configuration/appkeys/1/change/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{own_device.pk}/change/",
        "/admin/socialaccount/socialapp/",
        f"/admin/socialaccount/socialapp/{google.pk}/change/",
        "/admin/socialaccount/socialtoken/",
        f"/admin/socialaccount/socialtoken/{social_token.pk}/change/",
        "/admin/funds/channel/",
        f"/admin/funds/channel/{online_channel.pk}/change/",
        "/admin/audit/auditentry/",
        *(f"/admin/audit/auditentry/{pk}/change/" for pk in AuditEntry.objects.values_list("pk", flat=True)),
    ]
    secrets = [
        DEFAULT_PASSWORD,
        holder.password,  # the hash: enough to try passwords offline
        raw_token,
        token.key_hash,
        "482913",
        code.code_hash,
        "Op-Secret-11",
        operation.sealed_secrets,
        server.connection_settings["manager_password"],
        "App-Secret-12",
        "App-Watch-13",
        application.sealed_passwords,
        "recaptcha-secret-14",
        "tencent-secret-15",
        device.key,
        own_device.key,
        "google-client-secret-16",
        "google-private-key-17",
        "oauth-token-18",
        "oauth-secret-19",
        "payment-secret-20",
        "tencent-api-secret-21",
        "google-env-secret-22",
    ]
    return pages, secrets


def test_no_admin_page_shows_a_secret(superuser_client, settings):
    pages, secrets = secret_holders(superuser_client.superuser, settings)
    assert all(secrets)

    shown = {}
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200, page
        content = response.content.decode()
        shown[page] = [secret for secret in secrets if secret in content]

    assert {page: found for page, found in shown.items() if found} == {}


def test_a_totp_devices_qr_code_shows_only_to_its_own_user(superuser_client):
    other = TOTPDevice.objects.create(user=UserFactory(email="other-staff@example.com", role="staff"), name="phone")
    own = TOTPDevice.objects.create(user=superuser_client.superuser, name="my phone")

    for view in ("config", "qrcode"):
        assert superuser_client.get(f"/admin/otp_totp/totpdevice/{other.pk}/{view}/").status_code == 403
        assert superuser_client.get(f"/admin/otp_totp/totpdevice/{own.pk}/{view}/").status_code == 200


def test_the_google_client_secret_is_write_only_and_kept_when_left_empty(superuser_client):
    google = SocialApp.objects.create(
        provider="google", name="Google", client_id="id-1", secret="kept-secret", settings={"private_key": "kept-key"}
    )
    form = {
        "provider": "google",
        "provider_id": "",
        "name": "Google",
        "client_id": "id-2",
        "secret": "",
        "key": "",
        "settings": '{"private_key": "********"}',
    }

    kept = superuser_client.post(f"/admin/socialaccount/socialapp/{google.pk}/change/", form)
    google.refresh_from_db()
    assert kept.status_code == 302
    assert (google.client_id, google.secret, google.settings) == ("id-2", "kept-secret", {"private_key": "kept-key"})

    superuser_client.post(f"/admin/socialaccount/socialapp/{google.pk}/change/", {**form, "secret": "new-secret"})
    google.refresh_from_db()
    assert google.secret == "new-secret"
