"""The public lists: countries, currencies, languages."""

import pytest

from crm.configuration.models import PortalLanguage
from crm.configuration.tests.factories import CountryFactory, CurrencyFactory, PortalLanguageFactory

pytestmark = pytest.mark.django_db

COUNTRIES_URL = "/api/v1/public/settings/list-countries"
CURRENCIES_URL = "/api/v1/public/settings/list-currencies"
LANGUAGES_URL = "/api/v1/public/settings/get-languages"


@pytest.fixture
def countries():
    CountryFactory(code="SG", name_i18n={"zh-CN": "新加坡", "en-US": "Singapore"}, phone_code="+65", position=2)
    CountryFactory(code="CN", name_i18n={"zh-CN": "中国", "en-US": "China"}, phone_code="+86", position=1)
    CountryFactory(code="KP", is_enabled=False)


def test_countries_in_chinese_by_default(api, countries):
    response = api.get(COUNTRIES_URL)

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {"code": "CN", "name": "中国", "name_i18n": {"zh-CN": "中国", "en-US": "China"}, "phone_code": "+86"},
            {
                "code": "SG",
                "name": "新加坡",
                "name_i18n": {"zh-CN": "新加坡", "en-US": "Singapore"},
                "phone_code": "+65",
            },
        ]
    }


def test_countries_in_the_language_asked_for(api, countries):
    english = api.get(COUNTRIES_URL, HTTP_X_LANGUAGE="en-US").json()
    chinese = api.get(COUNTRIES_URL, HTTP_X_LANGUAGE="zh-CN").json()

    assert [country["name"] for country in english["list"]] == ["China", "Singapore"]
    assert [country["name"] for country in chinese["list"]] == ["中国", "新加坡"]


def test_countries_in_the_users_language_without_a_header(api, countries, user):
    user.language = "en-US"
    user.save()

    response = api.login_as(user).get(COUNTRIES_URL)

    assert [country["name"] for country in response.json()["list"]] == ["China", "Singapore"]


def test_country_name_falls_back_to_chinese(api):
    CountryFactory(code="MO", name_i18n={"zh-CN": "中国澳门"}, phone_code="+853")

    response = api.get(COUNTRIES_URL, HTTP_X_LANGUAGE="en-US")

    assert response.json() == {
        "list": [
            {"code": "MO", "name": "中国澳门", "name_i18n": {"zh-CN": "中国澳门", "en-US": ""}, "phone_code": "+853"}
        ]
    }


@pytest.fixture
def currencies():
    CurrencyFactory(code="USD", name="US Dollar", symbol="$", precision=2, position=1)
    CurrencyFactory(
        code="CNY", name="Chinese Yuan", symbol="¥", precision=2, position=2, for_international_wire_transfer=False
    )
    CurrencyFactory(
        code="USDT",
        name="Tether",
        symbol="₮",
        precision=6,
        position=3,
        for_bank_transfer=False,
        for_international_wire_transfer=False,
        for_cryptocurrency=True,
    )
    CurrencyFactory(code="RUB", is_enabled=False)


USD = {
    "code": "USD",
    "name": "US Dollar",
    "symbol": "$",
    "precision": 2,
    "methods": ["bank_transfer", "international_wire_transfer"],
}
CNY = {"code": "CNY", "name": "Chinese Yuan", "symbol": "¥", "precision": 2, "methods": ["bank_transfer"]}
USDT = {"code": "USDT", "name": "Tether", "symbol": "₮", "precision": 6, "methods": ["cryptocurrency"]}


# An empty `method=` counts as not given, as DRF reads every query string.
@pytest.mark.parametrize("query", [{}, {"method": "all"}, {"method": ""}])
def test_all_enabled_currencies(api, currencies, query):
    response = api.get(CURRENCIES_URL, query)

    assert response.status_code == 200
    assert response.json() == {"list": [USD, CNY, USDT], "total": 3}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("bank_transfer", [USD, CNY]),
        ("international_wire_transfer", [USD]),
        ("cryptocurrency", [USDT]),
    ],
)
def test_currencies_of_one_funding_method(api, currencies, method, expected):
    response = api.get(CURRENCIES_URL, {"method": method})

    assert response.status_code == 200
    assert response.json() == {"list": expected, "total": len(expected)}


@pytest.mark.parametrize("method", ["normal", "wire", "ALL"])
def test_currencies_refuse_an_unknown_method(api, currencies, method):
    response = api.get(CURRENCIES_URL, {"method": method})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["fields"]) == ["method"]


def test_unknown_method_message_in_english(api):
    response = api.get(CURRENCIES_URL, {"method": "normal"}, HTTP_X_LANGUAGE="en-US")

    assert response.json() == {
        "code": "invalid_input",
        "message": "Some fields are missing or invalid.",
        "fields": {"method": ['"normal" is not a valid choice.']},
    }


def test_enabled_languages_in_order(api):
    PortalLanguageFactory(code="en-US", name="English", position=2)
    PortalLanguageFactory(code="zh-CN", name="简体中文", position=1, is_default=True)
    PortalLanguage.objects.filter(code="en-US").update(is_enabled=True)

    response = api.get(LANGUAGES_URL)

    assert response.status_code == 200
    assert response.json() == {
        "language": [
            {"code": "zh-CN", "name": "简体中文", "is_default": True},
            {"code": "en-US", "name": "English", "is_default": False},
        ]
    }


def test_disabled_languages_are_left_out(api):
    PortalLanguageFactory(code="zh-CN", name="简体中文", is_default=True)
    PortalLanguageFactory(code="en-US", name="English", is_enabled=False)

    response = api.get(LANGUAGES_URL)

    assert response.json() == {"language": [{"code": "zh-CN", "name": "简体中文", "is_default": True}]}
