import pytest

from crm.configuration import demo
from crm.configuration.models import (
    Appearance,
    AppKeys,
    Company,
    Country,
    Currency,
    Leverage,
    PortalLanguage,
    SecuritySettings,
)

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (Company, Appearance, AppKeys, SecuritySettings, PortalLanguage, Country, Currency, Leverage)
    ]


def test_demo_data_loads_and_loading_again_changes_nothing():
    demo.load_demo_data()
    first = counts()
    Company.objects.filter(pk=1).update(email="changed@broker.example")

    demo.load_demo_data()

    assert first == [1, 1, 1, 1, 2, 20, 9, 9] == counts()
    company = Company.objects.get()
    assert company.broker_name_i18n == {"zh-CN": "演示经纪商", "en-US": "Demo Broker"}
    assert company.email == "support@broker.example"
    assert company.timezone == "Asia/Shanghai"
    assert SecuritySettings.objects.get().email_verification_scenarios == ["register", "withdrawal", "transfer"]
    assert SecuritySettings.objects.get().required_password_strength == "medium"
    assert list(PortalLanguage.objects.values_list("code", "is_default")) == [("zh-CN", True), ("en-US", False)]
    assert list(Leverage.objects.values_list("value", flat=True)) == [1, 10, 50, 100, 200, 300, 400, 500, 1000]


def test_demo_data_serves_the_api(api):
    demo.load_demo_data()

    crypto = api.get("/api/v1/public/settings/list-currencies", {"method": "cryptocurrency"}).json()
    countries = api.get("/api/v1/public/settings/list-countries", HTTP_X_LANGUAGE="en-US").json()["list"]

    assert crypto == {
        "list": [
            {"code": "USDT", "name": "Tether", "symbol": "₮", "precision": 6, "methods": ["cryptocurrency"]},
            {"code": "BTC", "name": "Bitcoin", "symbol": "₿", "precision": 8, "methods": ["cryptocurrency"]},
        ],
        "total": 2,
    }
    assert countries[0] == {
        "code": "CN",
        "name": "China",
        "name_i18n": {"zh-CN": "中国", "en-US": "China"},
        "phone_code": "+86",
    }
    assert len(countries) == 20


def test_demo_data_takes_over_another_default_language():
    PortalLanguage.objects.create(code="en-US", name="English", is_default=True)

    demo.load_demo_data()

    assert list(PortalLanguage.objects.filter(is_default=True).values_list("code", flat=True)) == ["zh-CN"]
