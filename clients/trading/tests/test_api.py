from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import ClientProfile, ClientSettings, KycStatus, RegistrationTemplate
from clients.trading import services
from clients.trading.models import AccountApplication, LeverageChange, TradingAccount
from clients.trading.tests.conftest import OBSERVE_PASSWORD, PASSWORD, open_account
from clients.trading.tests.factories import TradingAccountTypeFactory, client_user
from crm.configuration.selectors import company_time_zone
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import secrets_unseal
from crm.platforms.simulator import faults
from crm.platforms.simulator.adapter import SimulatorGateway
from crm.platforms.tests.factories import TradingServerFactory
from crm.users.tests.factories import UserFactory

BASE = "/api/v1/client/trading-account/"


def shown_time(moment) -> str:
    return timezone.localtime(moment, company_time_zone()).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def api_a(api, client_a):
    return api.login_as(client_a)


def apply_body(account_type, **overrides) -> dict:
    body = {
        "currency": "USD",
        "is_demo": account_type.is_demo,
        "leverage": 200,
        "observe_password": OBSERVE_PASSWORD,
        "password": PASSWORD,
        "trading_account_type_id": account_type.pk,
        "trading_platform": account_type.platform,
    }
    return {**body, **overrides}


def assert_error(response, status: int, code: str, fields: list[str] | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    if fields is not None:
        assert sorted(body["fields"]) == sorted(fields)
    return body


# --- who may call -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("post", "apply-for-account"),
        ("post", "create-opening-application"),
        ("get", "get-account?id=1"),
        ("get", "check-demo-allowed"),
        ("get", "list-leverage-options?id=1"),
        ("get", "get-leverage-update-status?id=1"),
        ("post", "update-leverage"),
        ("get", "list-account-types?trading_platform=MT5"),
        ("get", "list-accounts"),
        ("get", "list-account-options"),
        ("get", "list-platform-options"),
        ("post", "update-password"),
    ],
)
def test_every_operation_needs_a_portal_user(api, db, method, operation):
    assert_error(getattr(api, method)(BASE + operation, {}, format="json"), 401, "not_authenticated")
    api.login_as(UserFactory(role="staff"))
    assert_error(getattr(api, method)(BASE + operation, {}, format="json"), 403, "not_a_portal_user")


# --- applying ---------------------------------------------------------------------------


def test_apply_for_a_demo_account(api_a, demo_account_type):
    response = api_a.post(BASE + "apply-for-account", apply_body(demo_account_type), format="json")

    application = AccountApplication.objects.get()
    assert response.status_code == 200
    assert response.json() == {"id": application.pk, "status": "approved"}
    assert application.is_demo and application.leverage == 200


def test_apply_for_a_live_account_waiting_for_staff(api_a, live_type):
    from clients.trading.models import TradingSettings

    TradingSettings.objects.create(live_applications_auto_approve=False)

    response = api_a.post(BASE + "apply-for-account", apply_body(live_type), format="json")

    assert response.json() == {"id": AccountApplication.objects.get().pk, "status": "pending"}
    assert_error(
        api_a.post(BASE + "apply-for-account", apply_body(live_type), format="json"), 409, "account_application_pending"
    )


def test_create_opening_application(api_a, live_type):
    body = apply_body(live_type)
    del body["is_demo"]

    response = api_a.post(BASE + "create-opening-application", body, format="json")

    application = AccountApplication.objects.get()
    assert response.status_code == 200
    assert response.json() == {"application_account_id": application.pk, "status": "approved"}
    assert not application.is_demo


def test_create_opening_application_is_for_live_accounts_only(api_a, demo_account_type):
    body = apply_body(demo_account_type)
    del body["is_demo"]

    assert_error(
        api_a.post(BASE + "create-opening-application", body, format="json"), 400, "invalid_input", ["is_demo"]
    )
    assert not AccountApplication.objects.exists()


@pytest.mark.parametrize(
    ("change", "code", "fields"),
    [
        ({"password": None}, "invalid_input", ["password"]),
        ({"is_demo": None}, "invalid_input", ["is_demo"]),
        ({"trading_account_type_id": None, "leverage": None}, "invalid_input", ["trading_account_type_id", "leverage"]),
        ({"trading_platform": "MT6"}, "invalid_input", ["trading_platform"]),
        ({"currency": "EUR"}, "invalid_input", ["currency"]),
        ({"leverage": "high"}, "invalid_input", ["leverage"]),
        ({"leverage": 0}, "invalid_input", ["leverage"]),
        ({"trading_account_type_id": "x"}, "invalid_input", ["trading_account_type_id"]),
        ({"leverage": 1000}, "leverage_not_allowed", ["leverage"]),
        ({"password": "password"}, "invalid_trading_password", ["password"]),
        ({"observe_password": "Short1"}, "invalid_trading_password", ["observe_password"]),
        ({"trading_platform": "MT4"}, "invalid_input", ["trading_platform"]),
        ({"trading_account_type_id": 987654}, "account_type_unavailable", ["trading_account_type_id"]),
    ],
)
def test_apply_refuses_bad_input_and_writes_nothing(api_a, live_type, change, code, fields):
    body = apply_body(live_type)
    for key, value in change.items():
        if value is None:
            del body[key]
        else:
            body[key] = value

    assert_error(api_a.post(BASE + "apply-for-account", body, format="json"), 400, code, fields)
    assert not AccountApplication.objects.exists()
    assert not PlatformOperation.objects.exists()


def test_apply_refuses_malformed_json(api_a, live_type):
    response = api_a.post(BASE + "apply-for-account", "{not json", content_type="application/json")

    assert_error(response, 400, "malformed_request")


def test_apply_for_a_live_account_needs_kyc(api, live_type):
    api.login_as(client_user(kyc_status=KycStatus.FILLING))

    assert_error(api.post(BASE + "apply-for-account", apply_body(live_type), format="json"), 403, "kyc_required")
    assert not AccountApplication.objects.exists()


def test_check_demo_allowed(api_a):
    assert api_a.get(BASE + "check-demo-allowed").json() == {"enabled": True}

    rules = ClientSettings.load()
    rules.demo_accounts_enabled = False
    rules.save()
    assert api_a.get(BASE + "check-demo-allowed").json() == {"enabled": False}


# --- account types and platforms --------------------------------------------------------


def test_list_account_types(api_a, live_type, demo_account_type):
    mt4_type = TradingAccountTypeFactory(server=TradingServerFactory(platform="MT4"))
    TradingAccountTypeFactory(is_enabled=False)

    response = api_a.get(BASE + "list-account-types", {"trading_platform": "MT5", "page": 1, "size": 20})

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "id": account_type.pk,
                "name": name,
                "trading_platform": "MT5",
                "is_demo": is_demo,
                "server_name": account_type.server.name,
                "currencies": ["USD"],
                "leverage_options": [100, 200, 500],
                "min_deposit": "100.00",
                "description": "点差低",
            }
            for account_type, name, is_demo in [(live_type, "标准账户", False), (demo_account_type, "模拟账户", True)]
        ],
        "total": 2,
    }
    english = api_a.get(BASE + "list-account-types?trading_platform=MT5&is_demo=false", HTTP_X_LANGUAGE="en-US").json()
    assert [(row["id"], row["name"], row["description"]) for row in english["list"]] == [
        (live_type.pk, "Standard", "Low spreads")
    ]
    assert english["total"] == 1
    demo = api_a.get(BASE + "list-account-types?trading_platform=MT5&is_demo=true").json()
    assert [row["id"] for row in demo["list"]] == [demo_account_type.pk]
    mt4 = api_a.get(BASE + "list-account-types?trading_platform=MT4").json()
    assert [row["id"] for row in mt4["list"]] == [mt4_type.pk]
    page = api_a.get(BASE + "list-account-types?trading_platform=MT5&page=2&size=1").json()
    assert ([row["id"] for row in page["list"]], page["total"]) == ([demo_account_type.pk], 2)


def test_account_types_follow_the_clients_registration_flow(api_a, client_a, live_type, demo_account_type):
    own_flow = RegistrationTemplate.objects.create(name="Asia")
    other_flow = RegistrationTemplate.objects.create(name="Europe")
    ClientProfile.objects.filter(user=client_a).update(registration_template=own_flow)
    live_type.registration_templates.set([own_flow])
    demo_account_type.registration_templates.set([other_flow])

    listed = api_a.get(BASE + "list-account-types?trading_platform=MT5").json()

    assert [row["id"] for row in listed["list"]] == [live_type.pk]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", ["trading_platform"]),
        ("?trading_platform=MT6", ["trading_platform"]),
        ("?trading_platform=MT5&size=101", ["size"]),
        ("?trading_platform=MT5&page=0", ["page"]),
        ("?trading_platform=MT5&is_demo=maybe", ["is_demo"]),
    ],
)
def test_list_account_types_refuses_bad_queries(api_a, query, fields):
    assert_error(api_a.get(BASE + "list-account-types" + query), 400, "invalid_input", fields)


def test_list_platform_options(api_a, live_type):
    TradingAccountTypeFactory(server=TradingServerFactory(platform="MT4"), is_enabled=False)

    assert api_a.get(BASE + "list-platform-options").json() == {
        "list": [{"value": "MT5", "label": "MetaTrader 5"}],
        "total": 1,
    }
    TradingAccountTypeFactory(server=TradingServerFactory(platform="MT4"))
    assert api_a.get(BASE + "list-platform-options").json()["list"] == [
        {"value": "MT4", "label": "MetaTrader 4"},
        {"value": "MT5", "label": "MetaTrader 5"},
    ]


# --- accounts ---------------------------------------------------------------------------


def account_fields(account: TradingAccount, type_name: str = "标准账户", *, age: int | None = None) -> dict:
    return {
        "state_refreshed_at": shown_time(account.state_refreshed_at) if account.state_refreshed_at else None,
        "state_age_seconds": age,
        "id": account.pk,
        "account": str(account.login),
        "login": account.login,
        "currency": "USD",
        "leverage": account.leverage,
        "is_demo": account.is_demo,
        "status": "active",
        "server_name": account.server.name,
        "trading_platform": "MT5",
        "trading_account_type_id": account.account_type_id,
        "trading_account_type_name": type_name,
        "created_at": shown_time(account.created_at),
    }


def test_get_account_shows_the_snapshot_and_its_age(api_a, account_a):
    with time_machine.travel(account_a.state_refreshed_at + timedelta(seconds=42), tick=False):
        response = api_a.get(BASE + "get-account", {"id": account_a.pk})

    assert response.status_code == 200
    assert response.json() == {
        **account_fields(account_a, age=42),
        "balance": "1000.00",
        "credit": "0.00",
        "equity": "1000.00",
        "margin": "0.00",
        "free_margin": "1000.00",
        "password": "",
        "observe_password": "",
    }


def test_get_account_is_503_before_the_figures_were_ever_read(api_a, account_a):
    TradingAccount.objects.filter(pk=account_a.pk).update(state_refreshed_at=None)

    assert_error(api_a.get(BASE + "get-account", {"id": account_a.pk}), 503, "platform_unavailable")


@pytest.mark.parametrize("operation", ["get-account", "list-leverage-options", "get-leverage-update-status"])
def test_someone_elses_account_is_not_found(api, client_b, account_a, operation):
    api.login_as(client_b)

    assert_error(api.get(BASE + operation, {"id": account_a.pk}), 404, "trading_account_not_found")
    assert_error(api.get(BASE + operation, {"id": 987654}), 404, "trading_account_not_found")
    assert_error(api.get(BASE + operation), 400, "invalid_input", ["id"])
    assert_error(api.get(BASE + operation, {"id": "abc"}), 400, "invalid_input", ["id"])


def test_list_accounts_with_their_snapshots(api_a, client_a, client_b, account_a, demo_account_type):
    demo = open_account(client_a, demo_account_type, leverage=500)
    open_account(client_b, demo_account_type)  # someone else's

    with time_machine.travel(demo.state_refreshed_at + timedelta(seconds=7), tick=False):
        response = api_a.get(BASE + "list-accounts", {"page": 1, "size": 20})

    age_a = int((demo.state_refreshed_at - account_a.state_refreshed_at).total_seconds()) + 7
    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                **account_fields(demo, "模拟账户", age=7),
                "balance": "0.00",
                "credit": "0.00",
                "equity": "0.00",
                "margin": "0.00",
                "free_margin": "0.00",
                "is_state_available": True,
            },
            {
                **account_fields(account_a, age=age_a),
                "balance": "1000.00",
                "credit": "0.00",
                "equity": "1000.00",
                "margin": "0.00",
                "free_margin": "1000.00",
                "is_state_available": True,
            },
        ],
        "total": 2,
    }
    live_only = api_a.get(BASE + "list-accounts", {"is_demo": "false"}).json()
    assert ([row["id"] for row in live_only["list"]], live_only["total"]) == ([account_a.pk], 1)
    page_two = api_a.get(BASE + "list-accounts", {"page": 2, "size": 1}).json()
    assert ([row["id"] for row in page_two["list"]], page_two["total"]) == ([account_a.pk], 2)
    past_the_end = api_a.get(BASE + "list-accounts", {"page": 3, "size": 1}).json()
    assert past_the_end == {"list": [], "total": 2}
    partial = api_a.get(BASE + "list-accounts", {"page": 2, "size": 1, "is_demo": "false"}).json()
    assert partial == {"list": [], "total": 1}


def test_list_accounts_and_get_account_make_no_platform_call(api_a, client_a, account_a, live_type, monkeypatch):
    never_read = open_account(client_a, live_type)
    TradingAccount.objects.filter(pk=never_read.pk).update(state_refreshed_at=None)
    calls = []
    monkeypatch.setattr(SimulatorGateway, "account_state", lambda gateway, login: calls.append(login))
    faults.inject(account_a.server, "account_state", "unavailable")

    rows = api_a.get(BASE + "list-accounts").json()["list"]
    detail = api_a.get(BASE + "get-account", {"id": account_a.pk}).json()

    assert [(row["id"], row["is_state_available"], row["balance"]) for row in rows] == [
        (never_read.pk, False, None),
        (account_a.pk, True, "1000.00"),
    ]
    assert (detail["balance"], calls) == ("1000.00", [])


def test_list_accounts_reads_the_crm_in_a_fixed_number_of_queries(api_a, client_a, live_type):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = api_a.get(BASE + "list-accounts").json()["list"]
        assert all(row["is_state_available"] is False for row in rows)
        return len(captured)

    def add_account(login: int) -> None:
        TradingAccount.objects.create(
            user=client_a,
            account_type=live_type,
            server=live_type.server,
            login=login,
            currency="USD",
            leverage=100,
            is_demo=False,
        )

    add_account(600001)
    queries_for_a_page()  # warms what a first request reads once (token, time zone)
    one = queries_for_a_page()
    for login in range(600002, 600007):
        add_account(login)

    assert queries_for_a_page() == one


def test_list_account_options(api_a, client_a, client_b, account_a, demo_account_type, live_type):
    demo = open_account(client_a, demo_account_type)
    disabled = open_account(client_a, live_type)
    disabled.status = TradingAccount.Status.DISABLED
    disabled.save()
    open_account(client_b, live_type)

    response = api_a.get(BASE + "list-account-options", HTTP_X_LANGUAGE="en-US")

    assert response.json() == {
        "list": [
            {
                "id": demo.pk,
                "login": demo.login,
                "label": f"{demo.login} · Demo · MT5 · Demo",
                "is_demo": True,
                "trading_platform": "MT5",
                "currency": "USD",
            },
            {
                "id": account_a.pk,
                "login": account_a.login,
                "label": f"{account_a.login} · Standard · MT5",
                "is_demo": False,
                "trading_platform": "MT5",
                "currency": "USD",
            },
        ],
        "total": 2,
    }


# --- leverage ---------------------------------------------------------------------------


def test_list_leverage_options(api_a, account_a):
    assert api_a.get(BASE + "list-leverage-options", {"id": account_a.pk}).json() == {
        "leverage_options": [100, 200, 500],
        "leverage": 100,
    }


def test_update_leverage_and_follow_its_status(api_a, client_a, account_a, staff):
    assert api_a.get(BASE + "get-leverage-update-status", {"id": account_a.pk}).json() == {
        "audit_id": 0,
        "audit_status": "none",
        "from_leverage": None,
        "to_leverage": None,
        "reason": "",
        "requested_at": None,
    }

    response = api_a.post(BASE + "update-leverage", {"id": account_a.pk, "leverage": 500, "remark": ""}, format="json")

    assert (response.status_code, response.json()) == (200, {})
    change = LeverageChange.objects.get()
    assert api_a.get(BASE + "get-leverage-update-status", {"id": account_a.pk}).json() == {
        "audit_id": change.pk,
        "audit_status": "pending",
        "from_leverage": 100,
        "to_leverage": 500,
        "reason": "",
        "requested_at": shown_time(change.created_at),
    }
    assert_error(
        api_a.post(BASE + "update-leverage", {"id": account_a.pk, "leverage": 200, "remark": "x"}, format="json"),
        409,
        "leverage_change_pending",
    )
    services.leverage_change_reject(change_id=change.pk, rejected_by=staff, reason="Risk policy.")
    status = api_a.get(BASE + "get-leverage-update-status", {"id": account_a.pk}).json()
    assert (status["audit_status"], status["reason"]) == ("rejected", "Risk policy.")


@pytest.mark.parametrize(
    ("body", "status", "code", "fields"),
    [
        ({"leverage": 300, "remark": ""}, 400, "leverage_not_allowed", ["leverage"]),
        ({"leverage": 500}, 400, "invalid_input", ["remark"]),
        ({"remark": ""}, 400, "invalid_input", ["leverage"]),
        ({"leverage": "x", "remark": ""}, 400, "invalid_input", ["leverage"]),
    ],
)
def test_update_leverage_refuses_bad_input(api_a, account_a, body, status, code, fields):
    response = api_a.post(BASE + "update-leverage", {"id": account_a.pk, **body}, format="json")

    assert_error(response, status, code, fields)
    assert not LeverageChange.objects.exists()


def test_update_leverage_of_someone_elses_account_is_not_found(api, client_b, account_a):
    api.login_as(client_b)

    response = api.post(BASE + "update-leverage", {"id": account_a.pk, "leverage": 500, "remark": ""}, format="json")

    assert_error(response, 404, "trading_account_not_found")
    assert not LeverageChange.objects.exists()


# --- passwords --------------------------------------------------------------------------


def test_update_password(api_a, account_a):
    response = api_a.post(
        BASE + "update-password", {"id": account_a.pk, "password": "Fresh-Pass-7", "type": "observe"}, format="json"
    )

    assert (response.status_code, response.json()) == (200, {})
    operation = PlatformOperation.objects.get(kind=PlatformOperation.Kind.SET_PASSWORD)
    assert operation.payload == {"login": account_a.login, "kind": "investor", "password": ""}
    assert secrets_unseal(operation.sealed_secrets) == {"password": "Fresh-Pass-7"}


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"password": "weakpass", "type": "trade"}, "invalid_trading_password", ["password"]),
        ({"password": "Fresh-Pass-7", "type": "admin"}, "invalid_input", ["type"]),
        ({"password": "Fresh-Pass-7"}, "invalid_input", ["type"]),
        ({"type": "trade"}, "invalid_input", ["password"]),
    ],
)
def test_update_password_refuses_bad_input(api_a, account_a, body, code, fields):
    response = api_a.post(BASE + "update-password", {"id": account_a.pk, **body}, format="json")

    assert_error(response, 400, code, fields)
    assert not PlatformOperation.objects.filter(kind=PlatformOperation.Kind.SET_PASSWORD).exists()


def test_update_password_of_someone_elses_account_is_not_found(api, client_b, account_a):
    api.login_as(client_b)

    response = api.post(
        BASE + "update-password", {"id": account_a.pk, "password": "Fresh-Pass-7", "type": "trade"}, format="json"
    )

    assert_error(response, 404, "trading_account_not_found")
    assert not PlatformOperation.objects.filter(kind=PlatformOperation.Kind.SET_PASSWORD).exists()
