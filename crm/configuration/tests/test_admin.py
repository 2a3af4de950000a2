"""The settings back office: every page opens, the singletons stay single, secrets stay hidden."""

import pytest
from django.urls import reverse

from crm.configuration.models import Appearance, AppKeys, Company, PortalLanguage, SecuritySettings
from crm.configuration.tests.factories import (
    CountryFactory,
    CurrencyFactory,
    LeverageFactory,
    PortalLanguageFactory,
)
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SINGLETONS = [Company, Appearance, AppKeys, SecuritySettings]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True))
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:configuration_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", SINGLETONS)
def test_singleton_list_goes_to_the_add_page_until_the_row_exists(staff_client, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 302
    assert response.url == admin_url(model, "add")
    assert staff_client.get(response.url).status_code == 200


@pytest.mark.parametrize("model", SINGLETONS)
def test_singleton_list_goes_to_the_one_row(staff_client, model):
    model.objects.create()

    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 302
    assert response.url == admin_url(model, "change", 1)
    change = staff_client.get(response.url)
    assert change.status_code == 200
    assert change.context["has_delete_permission"] is False


@pytest.mark.parametrize("model", SINGLETONS)
def test_singleton_cannot_be_added_twice_or_deleted(staff_client, model):
    model.objects.create()

    assert staff_client.get(admin_url(model, "add")).status_code == 403
    assert staff_client.post(admin_url(model, "delete", 1), {"post": "yes"}).status_code == 403
    assert model.objects.count() == 1


def test_saving_a_singleton_stays_on_its_page(staff_client):
    response = staff_client.post(
        admin_url(Company, "add"),
        {
            "broker_name_i18n": '{"zh-CN": "演示经纪商", "en-US": "Demo Broker"}',
            "email": "support@broker.example",
            "support_phone": "+86 21 5555 0100",
            "timezone": "Asia/Shanghai",
            "version": "1.0.0",
        },
    )

    assert response.status_code == 302
    assert response.url == admin_url(Company, "change", 1)
    company = Company.objects.get()
    assert company.broker_name_i18n == {"zh-CN": "演示经纪商", "en-US": "Demo Broker"}


def test_company_refuses_an_unknown_time_zone_and_languages(staff_client):
    response = staff_client.post(
        admin_url(Company, "add"),
        {"broker_name_i18n": '{"fr-FR": "Courtier"}', "timezone": "Mars/Olympus", "version": "1.0.0"},
    )

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"broker_name_i18n", "timezone"}
    assert Company.objects.count() == 0


APP_KEYS_FORM = {
    "recaptcha_web_key": "web-key",
    "recaptcha_android_key": "android-key",
    "recaptcha_secret_key": "",
    "tencent_web_app_id": "190000001",
    "tencent_web_app_secret_key": "",
    "tencent_ios_app_id": "",
    "tencent_ios_app_secret_key": "",
    "tencent_android_app_id": "190000003",
    "tencent_android_app_secret_key": "",
}


def test_app_keys_secrets_are_password_inputs_never_sent_back(staff_client):
    AppKeys.objects.create(recaptcha_secret_key="recaptcha-secret", tencent_app_secret_keys={"190000001": "t-secret"})

    response = staff_client.get(admin_url(AppKeys, "change", 1))

    html = response.content.decode()
    assert response.status_code == 200
    for name in [
        "recaptcha_secret_key",
        "tencent_web_app_secret_key",
        "tencent_ios_app_secret_key",
        "tencent_android_app_secret_key",
    ]:
        assert f'type="password" name="{name}"' in html
    assert "recaptcha-secret" not in html
    assert "t-secret" not in html


def test_app_keys_empty_secret_inputs_keep_the_stored_secrets(staff_client):
    AppKeys.objects.create(
        tencent_web_app_id=190000001,
        recaptcha_secret_key="recaptcha-secret",
        tencent_app_secret_keys={"190000001": "web-secret"},
    )

    response = staff_client.post(
        admin_url(AppKeys, "change", 1), APP_KEYS_FORM | {"tencent_android_app_secret_key": "android-secret"}
    )

    assert response.status_code == 302
    keys = AppKeys.objects.get()
    assert keys.recaptcha_secret_key == "recaptcha-secret"
    assert keys.tencent_app_secret_keys == {"190000001": "web-secret", "190000003": "android-secret"}
    assert keys.tencent_app_ids() == {190000001, 190000003}


def test_app_keys_new_secrets_replace_and_removed_app_ids_drop_theirs(staff_client):
    AppKeys.objects.create(
        tencent_web_app_id=190000001,
        tencent_ios_app_id=190000002,
        recaptcha_secret_key="old",
        tencent_app_secret_keys={"190000001": "old-web", "190000002": "old-ios"},
    )

    staff_client.post(
        admin_url(AppKeys, "change", 1),
        APP_KEYS_FORM | {"recaptcha_secret_key": "new", "tencent_web_app_secret_key": "new-web"},
    )

    keys = AppKeys.objects.get()
    assert keys.recaptcha_secret_key == "new"
    assert keys.tencent_app_secret_keys == {"190000001": "new-web"}


SECURITY_FORM = {
    "required_password_strength": "medium",
    "login_max_failures": "5",
    "email_code_lifetime_minutes": "10",
    "email_code_resend_seconds": "60",
    "email_code_max_attempts": "5",
}


def test_security_scenes_are_checkboxes_of_known_scenes(staff_client):
    response = staff_client.post(
        admin_url(SecuritySettings, "add"), SECURITY_FORM | {"email_verification_scenarios": ["register", "transfer"]}
    )

    assert response.status_code == 302
    assert SecuritySettings.objects.get().email_verification_scenarios == ["register", "transfer"]


def test_security_refuses_unknown_scenes(staff_client):
    response = staff_client.post(
        admin_url(SecuritySettings, "add"), SECURITY_FORM | {"email_verification_scenarios": ["register", "login"]}
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["email_verification_scenarios"]
    assert SecuritySettings.objects.count() == 0


def test_security_model_clean_refuses_unknown_scenes():
    from django.core.exceptions import ValidationError

    settings_row = SecuritySettings(email_verification_scenarios=["register", "login"])

    with pytest.raises(ValidationError) as refusal:
        settings_row.full_clean()
    assert list(refusal.value.message_dict) == ["email_verification_scenarios"]


@pytest.mark.parametrize(
    ("factory", "model_name"),
    [
        (lambda: PortalLanguageFactory(code="en-US", name="English"), "portallanguage"),
        (CountryFactory, "country"),
        (CurrencyFactory, "currency"),
        (LeverageFactory, "leverage"),
    ],
)
def test_list_pages_open(staff_client, factory, model_name):
    row = factory()

    changelist = staff_client.get(reverse(f"admin:configuration_{model_name}_changelist"), {"q": "e"})
    change = staff_client.get(reverse(f"admin:configuration_{model_name}_change", args=[row.pk]))
    add = staff_client.get(reverse(f"admin:configuration_{model_name}_add"))

    assert (changelist.status_code, change.status_code, add.status_code) == (200, 200, 200)


def test_list_editable_switches_a_country_off(staff_client):
    china = CountryFactory(code="CN", position=1)
    url = reverse("admin:configuration_country_changelist")

    response = staff_client.post(
        url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(china.pk),
            "form-0-position": "7",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    china.refresh_from_db()
    assert (china.is_enabled, china.position) == (False, 7)


def test_make_default_language_action(staff_client):
    chinese = PortalLanguageFactory(code="zh-CN", name="简体中文", is_default=True)
    english = PortalLanguageFactory(code="en-US", name="English", is_enabled=False)

    response = staff_client.post(
        reverse("admin:configuration_portallanguage_changelist"),
        {"action": "make_default", "_selected_action": [english.pk]},
    )

    assert response.status_code == 302
    assert list(PortalLanguage.objects.filter(is_default=True)) == [english]
    english.refresh_from_db()
    assert english.is_enabled is True
    chinese.refresh_from_db()
    assert chinese.is_default is False


def test_make_default_language_needs_exactly_one(staff_client):
    chinese = PortalLanguageFactory(code="zh-CN", name="简体中文", is_default=True)
    english = PortalLanguageFactory(code="en-US", name="English")

    staff_client.post(
        reverse("admin:configuration_portallanguage_changelist"),
        {"action": "make_default", "_selected_action": [chinese.pk, english.pk]},
    )

    assert list(PortalLanguage.objects.filter(is_default=True)) == [chinese]


def test_clients_cannot_open_the_back_office(client):
    client.force_login(UserFactory(role=User.Role.CLIENT))

    response = client.get(admin_url(Company, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
