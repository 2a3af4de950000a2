"""Trading passwords never reach a log or an audit row, from the client's request to the platform."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clients.trading import services
from clients.trading.models import AccountApplication, TradingAccount, TradingSettings
from clients.trading.tests.conftest import OBSERVE_PASSWORD, PASSWORD, execute
from crm.audit.tests.leaks import audit_text, everything_logged, secrets_found
from crm.platforms.errors import PlatformTimeout
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import secrets_unseal
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount

BASE = "/api/v1/client/trading-account/"
NEW_PASSWORD = "Fresh-Pass-7"


def test_opening_an_account_and_changing_its_passwords_log_and_audit_no_password(api, client_a, staff, live_type):
    TradingSettings.objects.create(live_applications_auto_approve=False)
    api.login_as(client_a)
    body = {
        "currency": "USD",
        "is_demo": False,
        "leverage": 200,
        "observe_password": OBSERVE_PASSWORD,
        "password": PASSWORD,
        "trading_account_type_id": live_type.pk,
        "trading_platform": live_type.platform,
    }

    with everything_logged() as logged:
        applied = api.post(BASE + "apply-for-account", body, format="json")
        application = AccountApplication.objects.get()
        services.account_application_approve(application_id=application.pk, approved_by=staff)
        application.refresh_from_db()
        faults.inject(live_type.server, "create_account", "timeout_after")
        with pytest.raises(PlatformTimeout):
            execute(application.operation)
        with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
            execute(application.operation)
        account = TradingAccount.objects.get()
        weak = api.post(
            BASE + "update-password", {"id": account.pk, "password": "weakpass", "type": "trade"}, format="json"
        )
        changed = api.post(
            BASE + "update-password", {"id": account.pk, "password": NEW_PASSWORD, "type": "observe"}, format="json"
        )
        change = PlatformOperation.objects.get(kind=PlatformOperation.Kind.SET_PASSWORD)
        execute(change)

    assert (applied.status_code, weak.status_code, changed.status_code) == (200, 400, 200)
    sim = SimAccount.objects.get(login=account.login)
    assert sim.check_main_password(PASSWORD) and sim.check_investor_password(NEW_PASSWORD)
    handled = [PASSWORD, OBSERVE_PASSWORD, NEW_PASSWORD, "weakpass"]
    assert secrets_found(handled, logged.text(), audit_text()) == []


def test_a_generated_investor_password_is_never_logged_either(client_a, demo_account_type):
    with everything_logged() as logged:
        application = services.account_application_create(
            user=client_a,
            account_type_id=demo_account_type.pk,
            trading_platform=demo_account_type.platform,
            is_demo=True,
            currency="USD",
            leverage=100,
            password=PASSWORD,
        )
        generated = secrets_unseal(application.operation.sealed_secrets)["investor_password"]
        execute(application.operation)

    assert SimAccount.objects.get().check_investor_password(generated)
    assert secrets_found([PASSWORD, generated], logged.text(), audit_text()) == []
