"""The singleton settings: app keys, appearance, company, security, tenant version."""

import pytest

from crm.configuration.models import Appearance, AppKeys, Company, SecuritySettings

pytestmark = pytest.mark.django_db


def test_app_keys_are_the_public_keys_only(api):
    AppKeys.objects.create(
        recaptcha_web_key="web-site-key",
        recaptcha_android_key="android-site-key",
        recaptcha_secret_key="never-shown",
        tencent_web_app_id=190000001,
        tencent_ios_app_id=190000002,
        tencent_android_app_id=190000003,
        tencent_app_secret_keys={"190000001": "never-shown-either"},
    )

    response = api.get("/api/v1/public/settings/get-app-keys")

    assert response.status_code == 200
    assert response.json() == {
        "recaptcha_web_key": "web-site-key",
        "recaptcha_android_key": "android-site-key",
        "tencent_web_app_id": 190000001,
        "tencent_ios_app_id": 190000002,
        "tencent_android_app_id": 190000003,
    }


def test_app_keys_not_set_are_empty_and_zero_and_reading_creates_nothing(api):
    response = api.get("/api/v1/public/settings/get-app-keys")

    assert response.status_code == 200
    assert response.json() == {
        "recaptcha_web_key": "",
        "recaptcha_android_key": "",
        "tencent_web_app_id": 0,
        "tencent_ios_app_id": 0,
        "tencent_android_app_id": 0,
    }
    assert AppKeys.objects.count() == 0


def test_appearance_gives_absolute_image_urls_and_every_language(api):
    appearance = Appearance(
        client_login_layout="right",
        client_login_copy_i18n={"zh-CN": "欢迎", "en-US": "Welcome"},
        ib_login_layout="left",
        ib_login_copy_i18n={"en-US": "Partners"},
    )
    # A stored file's name is all the URL needs; nothing is written to the storage.
    appearance.client_login_bg_image.name = "appearance/client.png"
    appearance.ib_login_bg_image.name = "appearance/ib.jpg"
    appearance.save()

    response = api.get("/api/v1/public/settings/get-appearance")

    assert response.status_code == 200
    assert response.json() == {
        "admin_login_bg_image_url": "",
        "admin_login_copy_i18n": {"zh-CN": "", "en-US": ""},
        "admin_login_layout": "centered",
        "client_login_bg_image_url": "http://testserver/media/public/appearance/client.png",
        "client_login_copy_i18n": {"zh-CN": "欢迎", "en-US": "Welcome"},
        "client_login_layout": "right",
        "ib_login_bg_image_url": "http://testserver/media/public/appearance/ib.jpg",
        "ib_login_copy_i18n": {"zh-CN": "", "en-US": "Partners"},
        "ib_login_layout": "left",
    }


def test_company(api):
    company = Company(
        broker_name_i18n={"zh-CN": "演示经纪商", "en-US": "Demo Broker"},
        email="support@broker.example",
        support_phone="+86 21 5555 0100",
        timezone="Europe/London",
    )
    company.company_logo.name = "company/logo.png"
    company.login_page_logo.name = "company/login.png"
    company.save()

    response = api.get("/api/v1/public/settings/get-company")

    assert response.status_code == 200
    assert response.json() == {
        "broker_name_i18n": {"zh-CN": "演示经纪商", "en-US": "Demo Broker"},
        "company_logo_url": "http://testserver/media/public/company/logo.png",
        "login_page_logo_url": "http://testserver/media/public/company/login.png",
        "watermark_logo_url": "",
        "email": "support@broker.example",
        "support_phone": "+86 21 5555 0100",
        "timezone": "Europe/London",
    }


def test_company_before_staff_set_it_up(api):
    response = api.get("/api/v1/public/settings/get-company")

    assert response.status_code == 200
    assert response.json() == {
        "broker_name_i18n": {"zh-CN": "", "en-US": ""},
        "company_logo_url": "",
        "login_page_logo_url": "",
        "watermark_logo_url": "",
        "email": "",
        "support_phone": "",
        "timezone": "Asia/Shanghai",
    }
    assert Company.objects.count() == 0


def test_security(api):
    SecuritySettings.objects.create(
        email_verification_scenarios=["register", "withdrawal"],
        google_two_factor_enabled=True,
        re_captcha_enabled=False,
        tencent_two_factor_enabled=True,
        required_password_strength="strong",
        login_max_failures=3,
    )

    response = api.get("/api/v1/public/settings/get-security")

    assert response.status_code == 200
    assert response.json() == {
        "email_verification_scenarios": ["register", "withdrawal"],
        "google_two_factor_enabled": True,
        "re_captcha_enabled": False,
        "tencent_two_factor_enabled": True,
        "required_password_strength": "strong",
    }


def test_security_defaults(api):
    response = api.get("/api/v1/public/settings/get-security")

    assert response.json() == {
        "email_verification_scenarios": [],
        "google_two_factor_enabled": False,
        "re_captcha_enabled": False,
        "tencent_two_factor_enabled": False,
        "required_password_strength": "medium",
    }


def test_tenant_version_follows_the_latest_settings_change(api):
    assert api.get("/api/v1/public/settings/get-tenant-version").json() == {"version": "1.0.0.0"}

    Company.objects.create(version="2.1.0")
    security = SecuritySettings.objects.create()
    latest = int(SecuritySettings.objects.get().updated_at.timestamp())
    assert security.updated_at >= Company.objects.get().updated_at

    response = api.get("/api/v1/public/settings/get-tenant-version")

    assert response.status_code == 200
    assert response.json() == {"version": f"2.1.0.{latest}"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/public/settings/get-app-keys",
        "/api/v1/public/settings/get-appearance",
        "/api/v1/public/settings/get-company",
        "/api/v1/public/settings/get-security",
        "/api/v1/public/settings/get-tenant-version",
        "/api/v1/public/settings/get-languages",
        "/api/v1/public/settings/list-countries",
        "/api/v1/public/settings/list-currencies",
        "/api/v1/public/settings/list-leverages",
    ],
)
def test_public_settings_need_no_login_and_accept_one(api, user, url):
    assert api.get(url).status_code == 200
    assert api.login_as(user).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/public/settings/get-company", "/api/v1/public/settings/list-countries"])
def test_settings_refuse_writes(api, url):
    response = api.post(url, {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
