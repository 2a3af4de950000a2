"""Concurrent requests, with real threads (SQLite and PostgreSQL): one wins, the others are refused cleanly."""

import pytest

from clients.trading import services
from clients.trading.models import AccountApplication, LeverageChange, TradingSettings
from clients.trading.tests.conftest import OBSERVE_PASSWORD, PASSWORD
from crm.errors import ApplicationError
from crm.platforms.tests.helpers import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_leverage_requests_leave_one_change_in_flight(client_a, account_a):
    results, errors = run_in_threads(
        lambda index: services.leverage_change_request(
            user=client_a, account_id=account_a.pk, leverage=200 if index % 2 else 500
        ),
        count=8,
    )

    assert len(results) == 1
    assert len(errors) == 7
    assert {(error.code, error.status) for error in errors if isinstance(error, ApplicationError)} == {
        ("leverage_change_pending", 409)
    }
    assert LeverageChange.objects.filter(account=account_a).count() == 1


def test_concurrent_applications_leave_one_waiting_for_staff(client_a, live_type):
    TradingSettings.objects.create(live_applications_auto_approve=False)

    results, errors = run_in_threads(
        lambda index: services.account_application_create(
            user=client_a,
            account_type_id=live_type.pk,
            trading_platform="MT5",
            is_demo=False,
            currency="USD",
            leverage=100,
            password=PASSWORD,
            observe_password=OBSERVE_PASSWORD,
        ),
        count=8,
    )

    assert len(results) == 1
    assert {(error.code, error.status) for error in errors if isinstance(error, ApplicationError)} == {
        ("account_application_pending", 409)
    }
    assert len(errors) == 7
    assert AccountApplication.objects.filter(status=AccountApplication.Status.PENDING).count() == 1


def test_concurrent_staff_decisions_decide_once(client_a, live_type, staff):
    TradingSettings.objects.create(live_applications_auto_approve=False)
    application = services.account_application_create(
        user=client_a,
        account_type_id=live_type.pk,
        trading_platform="MT5",
        is_demo=False,
        currency="USD",
        leverage=100,
        password=PASSWORD,
    )

    def decide(index: int):
        if index % 2:
            return services.account_application_approve(application_id=application.pk, approved_by=staff)
        return services.account_application_reject(application_id=application.pk, rejected_by=staff, reason="No.")

    results, errors = run_in_threads(decide, count=6)

    assert len(results) == 1
    assert {error.code for error in errors if isinstance(error, ApplicationError)} == {
        "account_application_not_pending"
    }
    assert len(errors) == 5
