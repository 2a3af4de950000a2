"""client.withdrawal.list_history, check_pending_request and client.trading_account.list_balances."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.trading.models import TradingAccount
from crm.platforms.simulator.adapter import SimulatorGateway
from funds.tests.factories import bank_transfer_info
from funds.withdrawals import services
from funds.withdrawals.models import FundingUsage, Usage, Withdrawal
from funds.withdrawals.tests.helpers import (
    credit_in,
    drain_on_platform,
    funded_account,
    refresh_snapshots,
    request_withdrawal,
    run_outbox,
)

D = Decimal
pytestmark = pytest.mark.django_db
HISTORY = "/api/v1/client/withdrawal/list-history"
PENDING = "/api/v1/client/withdrawal/check-pending-request"
BALANCES = "/api/v1/client/trading-account/list-balances"


def local(moment) -> str:
    from crm.configuration.selectors import company_time_zone

    return timezone.localtime(moment, company_time_zone()).strftime("%Y-%m-%d %H:%M:%S")


def test_the_history_lists_the_clients_withdrawals_newest_first(
    client_api, client_user, other_user, account, bank, staff
):
    first = request_withdrawal(client_user, account, bank, "100.00")
    second = request_withdrawal(client_user, account, bank, "200.00")
    services.withdrawal_reject(withdrawal_id=first.pk, by=staff, reason="Wrong bank")
    request_withdrawal(other_user, funded_account(other_user, "1000.00"), bank, "100.00")

    response = client_api.get(HISTORY)

    assert response.status_code == 200
    data = response.json()
    assert data["total"] == 2
    assert [row["order_number"] for row in data["list"]] == [second.order_number, first.order_number]
    first.refresh_from_db()
    assert data["list"][1] == {
        "id": first.pk,
        "order_number": first.order_number,
        "status": "rejected",
        "trading_account_id": account.pk,
        "login": account.login,
        "remittance_id": bank.pk,
        "remittance_name": "Withdrawal USD",
        "method": "bank_transfer",
        "account_currency": "USD",
        "withdrawal_amount": "100.00",
        "currency": "USD",
        "exchange_rate": "1",
        "fee": "6.00",
        "remittance_amount": "94.00",
        "payout_account_id": None,
        "bank_transfer_info": bank_transfer_info(),
        "international_wire_info": None,
        "cryptocurrency_info": None,
        "remark": "",
        "reason": "Wrong bank",
        "payment_reference": "",
        "created_at": local(first.created_at),
        "decided_at": local(first.decided_at),
        "paid_at": None,
        "closed_at": local(first.closed_at),
    }


def test_the_history_pages_and_filters_by_time(client_api, client_user, account, bank):
    start = timezone.now().replace(microsecond=0) - timedelta(days=3)
    made = []
    for day in range(3):
        withdrawal = request_withdrawal(client_user, account, bank, "100.00")
        Withdrawal.objects.filter(pk=withdrawal.pk).update(created_at=start + timedelta(days=day))
        withdrawal.refresh_from_db()
        made.append(withdrawal)

    page = client_api.get(HISTORY, {"page": 2, "size": 2}).json()
    assert (page["total"], [row["id"] for row in page["list"]]) == (3, [made[0].pk])

    window = client_api.get(
        HISTORY, {"start_time": local(made[1].created_at), "end_time": local(made[2].created_at)}
    ).json()
    assert [row["id"] for row in window["list"]] == [made[2].pk, made[1].pk]


@pytest.mark.parametrize(
    "query",
    [
        {"size": 101},
        {"page": 0},
        {"start_time": "2026-13-01 00:00:00"},
        {"start_time": "2026-01-02 00:00:00", "end_time": "2026-01-01 00:00:00"},
    ],
)
def test_bad_history_queries_are_refused(client_api, query):
    response = client_api.get(HISTORY, query)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_input")


def test_pending_means_waiting_for_the_broker(client_api, client_user, account, bank, staff):
    assert client_api.get(PENDING).json() == {"has_pending": False}
    withdrawal = request_withdrawal(client_user, account, bank, "100.00")
    assert client_api.get(PENDING).json() == {"has_pending": True}
    run_outbox()
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    assert client_api.get(PENDING).json() == {"has_pending": True}
    services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R")
    assert client_api.get(PENDING).json() == {"has_pending": False}


def test_someone_elses_pending_withdrawal_is_not_ours(client_api, other_user, bank, usd):
    request_withdrawal(other_user, funded_account(other_user, "1000.00"), bank, "100.00")

    assert client_api.get(PENDING).json() == {"has_pending": False}


# --- balances ---------------------------------------------------------------------------------------------


def test_balances_of_the_accounts_of_the_usages_asked(client_api, client_user, account, bank):
    from funds.ledger.tests.factories import platform_account

    deposit_only = funded_account(client_user, "300.00")
    FundingUsage.objects.create(account_type=deposit_only.account_type, usage=Usage.DEPOSIT_ONLY)
    platform_account(user=client_user, is_demo=True, balance="1000.00")  # demo: never listed
    credit_in(account, "200.00")
    request_withdrawal(client_user, account, bank, "1000.00")  # held, not yet taken by the platform

    account.refresh_from_db()
    with time_machine.travel(account.state_refreshed_at + timedelta(seconds=9), tick=False):
        response = client_api.get(BALANCES, {"type": ["withdrawal_only", "normal"]})

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "trading_account_id": account.pk,
                "login": account.login,
                "platform": "MT5",
                "account_type_id": account.account_type_id,
                "account_type_name": account.account_type.name("en-US"),
                "usage": "normal",
                "currency": "USD",
                "leverage": 100,
                "is_available": True,
                "balance": "5000.00",
                "credit": "200.00",
                "equity": "5200.00",
                "margin": "0.00",
                "free_margin": "5200.00",
                "on_hold": "1000.00",
                "withdrawable": "4000.00",
                "state_refreshed_at": local(account.state_refreshed_at),
                "state_age_seconds": 9,
            }
        ],
        "total": 1,
    }
    run_outbox()  # the platform takes the held 1000.00; the outbox refreshes the snapshot
    row = client_api.get(BALANCES, {"type": "normal"}).json()["list"][0]
    assert (row["balance"], row["on_hold"], row["withdrawable"]) == ("4000.00", "0.00", "4000.00")

    both = client_api.get(BALANCES, {"type": "deposit_only,normal"}).json()
    assert [row["trading_account_id"] for row in both["list"]] == [deposit_only.pk, account.pk]
    brackets = client_api.get(BALANCES, {"type[]": ["deposit_only"]}).json()
    assert [row["trading_account_id"] for row in brackets["list"]] == [deposit_only.pk]
    assert brackets["list"][0]["usage"] == "deposit_only"


def test_balances_read_the_snapshots_and_never_the_platform(client_api, client_user, account, monkeypatch):
    never_read = funded_account(client_user, "100.00")
    TradingAccount.objects.filter(pk=never_read.pk).update(state_refreshed_at=None)
    drain_on_platform(account, "700.00")  # past the CRM: the snapshot still says 5000.00 until refreshed
    calls = []
    monkeypatch.setattr(SimulatorGateway, "account_state", lambda gateway, login: calls.append(login))

    rows = client_api.get(BALANCES, {"type": "normal"}).json()["list"]

    assert calls == []
    assert [(row["trading_account_id"], row["is_available"], row["balance"], row["withdrawable"]) for row in rows] == [
        (never_read.pk, False, None, None),
        (account.pk, True, "5000.00", "5000.00"),
    ]
    assert (rows[0]["state_refreshed_at"], rows[0]["state_age_seconds"], rows[0]["on_hold"]) == (None, None, "0.00")
    monkeypatch.undo()
    refresh_snapshots(account)
    assert client_api.get(BALANCES, {"type": "normal"}).json()["list"][1]["balance"] == "4300.00"


def test_the_balance_query_count_does_not_grow_with_the_accounts(client_api, client_user, account):
    client_api.get(BALANCES, {"type": "normal"})  # fills the caches (time zone, language)
    with CaptureQueriesContext(connection) as one:
        client_api.get(BALANCES, {"type": "normal"})
    for _ in range(3):
        funded_account(client_user, "10.00")
    with CaptureQueriesContext(connection) as four:
        rows = client_api.get(BALANCES, {"type": "normal"}).json()["list"]

    assert len(rows) == 4
    assert len(four) == len(one) == 5  # token, accounts, usages, holds, currencies


@pytest.mark.parametrize("query", [{}, {"type": "savings"}, {"type": ""}])
def test_the_usage_type_is_required_and_checked(client_api, query):
    response = client_api.get(BALANCES, query)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_input")
    assert any(field.startswith("type") for field in response.json()["fields"])


def test_someone_elses_accounts_are_not_listed(client_api, other_user, usd):
    funded_account(other_user, "100.00")

    assert client_api.get(BALANCES, {"type": "normal"}).json() == {"list": [], "total": 0}
    assert Withdrawal.objects.count() == 0
