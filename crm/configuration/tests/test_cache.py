"""The public settings come from the cache, and a change shows at the next read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.configuration import services
from crm.configuration.cache import public_setting_cached
from crm.configuration.models import Company, Country, Currency, Leverage, PortalLanguage, SecuritySettings

pytestmark = pytest.mark.django_db

PUBLIC_SETTINGS = [
    "/api/v1/public/settings/get-app-keys",
    "/api/v1/public/settings/get-appearance",
    "/api/v1/public/settings/get-company",
    "/api/v1/public/settings/get-security",
    "/api/v1/public/settings/get-tenant-version",
    "/api/v1/public/settings/get-languages",
    "/api/v1/public/settings/list-countries",
    "/api/v1/public/settings/list-currencies?method=cryptocurrency",
    "/api/v1/public/settings/list-leverages?page=1&size=2",
]


@pytest.fixture
def settings_rows(db):
    Company.objects.create(version="2.0.0", email="desk@example.com")
    SecuritySettings.objects.create(required_password_strength="strong")
    Country.objects.create(code="CN", name_i18n={"zh-CN": "中国", "en-US": "China"}, phone_code="+86")
    Currency.objects.create(code="USDT", name="Tether", for_cryptocurrency=True)
    Leverage.objects.bulk_create([Leverage(value=value) for value in (100, 200, 500)])
    PortalLanguage.objects.create(code="en-US", name="English", is_default=True)


@pytest.mark.parametrize("url", PUBLIC_SETTINGS)
def test_the_second_read_runs_no_query(api, settings_rows, url):
    first = api.get(url)

    with CaptureQueriesContext(connection) as queries:
        second = api.get(url)

    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert [query["sql"] for query in queries.captured_queries] == []


def test_a_saved_company_shows_at_the_next_read(api, settings_rows):
    assert api.get("/api/v1/public/settings/get-company").json()["email"] == "desk@example.com"
    version = api.get("/api/v1/public/settings/get-tenant-version").json()["version"]

    company = Company.objects.get()
    company.email, company.version = "help@example.com", "2.1.0"
    company.save()

    assert api.get("/api/v1/public/settings/get-company").json()["email"] == "help@example.com"
    new_version = api.get("/api/v1/public/settings/get-tenant-version").json()["version"]
    assert version.startswith("2.0.0.") and new_version.startswith("2.1.0.")


def test_a_list_row_saved_or_deleted_shows_at_the_next_read(api, settings_rows):
    url = "/api/v1/public/settings/list-leverages?page=1&size=10"
    assert [row["value"] for row in api.get(url).json()["list"]] == [100, 200, 500]

    leverage = Leverage.objects.get(value=200)
    leverage.is_enabled = False
    leverage.save()
    assert api.get(url).json() == {
        "list": [
            {"id": Leverage.objects.get(value=100).pk, "value": 100, "label": "1:100"},
            {"id": Leverage.objects.get(value=500).pk, "value": 500, "label": "1:500"},
        ],
        "total": 2,
    }

    Leverage.objects.get(value=500).delete()
    assert [row["value"] for row in api.get(url).json()["list"]] == [100]


def test_countries_are_cached_per_language_and_a_saved_country_shows_in_each(api, settings_rows):
    url = "/api/v1/public/settings/list-countries"
    assert api.get(url, HTTP_X_LANGUAGE="en-US").json()["list"][0]["name"] == "China"
    assert api.get(url, HTTP_X_LANGUAGE="zh-CN").json()["list"][0]["name"] == "中国"

    country = Country.objects.get(code="CN")
    country.name_i18n = {"zh-CN": "中华人民共和国", "en-US": "People's Republic of China"}
    country.save()

    assert api.get(url, HTTP_X_LANGUAGE="en-US").json()["list"][0]["name"] == "People's Republic of China"
    assert api.get(url, HTTP_X_LANGUAGE="zh-CN").json()["list"] == [
        {
            "code": "CN",
            "name": "中华人民共和国",
            "name_i18n": {"zh-CN": "中华人民共和国", "en-US": "People's Republic of China"},
            "phone_code": "+86",
        }
    ]


def test_the_default_language_set_by_the_service_shows_at_the_next_read(api, settings_rows):
    chinese = PortalLanguage.objects.create(code="zh-CN", name="简体中文", position=1)
    url = "/api/v1/public/settings/get-languages"
    assert [(row["code"], row["is_default"]) for row in api.get(url).json()["language"]] == [
        ("en-US", True),
        ("zh-CN", False),
    ]

    services.portal_language_set_default(language_id=chinese.pk)

    assert [(row["code"], row["is_default"]) for row in api.get(url).json()["language"]] == [
        ("en-US", False),
        ("zh-CN", True),
    ]


def test_a_setting_saved_in_the_back_office_shows_at_the_next_read(api, settings_rows, admin_client):
    url = "/api/v1/public/settings/get-security"
    assert api.get(url).json()["required_password_strength"] == "strong"

    response = admin_client.post(
        "/admin/configuration/securitysettings/1/change/",
        {
            "required_password_strength": "weak",
            "login_max_failures": 5,
            "email_code_lifetime_minutes": 10,
            "email_code_resend_seconds": 60,
            "email_code_max_attempts": 5,
        },
    )

    assert response.status_code == 302
    assert api.get(url).json()["required_password_strength"] == "weak"


def test_a_name_a_change_would_not_forget_is_refused():
    with pytest.raises(ValueError, match="not in NAMES"):
        public_setting_cached("leverages:page-2", list)
