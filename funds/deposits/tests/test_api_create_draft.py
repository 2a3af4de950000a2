"""client.deposit.create_draft."""

import json
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clients.trading.models import TradingAccount
from crm.audit.models import AuditEntry
from funds.deposits.models import Deposit, DepositEvent
from funds.deposits.tests.conftest import channel, draft
from funds.ledger.models import Journal
from funds.ledger.tests.factories import platform_account
from funds.models import Direction
from funds.tests.factories import ChannelCurrencyFactory, ChannelFactory, ExchangeRateFactory, currency

URL = "/api/v1/client/deposit/create-draft"
D = Decimal
pytestmark = pytest.mark.django_db


def body(account, channel, **fields):
    return {"deposit_amount": "1000.00", "remittance_id": channel.pk, "trading_account_id": account.pk, **fields}


def nothing_written():
    return (Deposit.objects.count(), DepositEvent.objects.count(), AuditEntry.objects.count(), Journal.objects.count())


def test_a_manual_channel_gives_its_instructions_and_fixes_the_amounts(client_api, account, bank, client_user):
    response = client_api.post(URL, body(account, bank, remark="Salary"), format="json", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 200
    deposit = Deposit.objects.get()
    data = response.json()
    assert re.fullmatch(r"D\d{8}\d{6}", data["order_number"])
    assert data == {
        "order_number": deposit.order_number,
        "status": "draft",
        "trading_account_id": account.pk,
        "login": account.login,
        "account_info": f"MT5 {account.login} · {account.account_type.name('en-US')} · USD",
        "remittance_id": bank.pk,
        "remittance_name": "Bank transfer USD",
        "method": "bank_transfer",
        "currency": "USD",
        "deposit_amount": "1000.00",
        "fee": "6.00",  # 1.00 + 0.5 %
        "account_currency": "USD",
        "rate": "1",
        "credited_amount": "994.00",
        "remark": "Salary",
        "reason": "",
        "receipt_url": "",
        "created_at": data["created_at"],
        "submitted_at": None,
        "decided_at": None,
        "credited_at": None,
        "pay_type": "manual",
        "pay_url": "",
        "pay_data": data["pay_data"],
        "expires_at": data["expires_at"],
    }
    assert json.loads(data["pay_data"]) == {
        "order_number": deposit.order_number,
        "method": "bank_transfer",
        "amount": "1000.00",
        "currency": "USD",
        "instructions": "Please transfer",
        "details": {"bank_name": "Demo Bank", "account_number": "6222000011112222"},
    }
    assert (deposit.user, deposit.status, deposit.fee, deposit.credited_amount) == (
        client_user,
        "draft",
        D("6.00"),
        D("994.00"),
    )
    assert list(deposit.events.values_list("from_status", "to_status", "actor")) == [("", "draft", client_user.pk)]
    assert AuditEntry.objects.get().action == "deposit.draft_created"
    assert Journal.objects.count() == 0  # nothing is booked before the money is there


def test_another_currency_is_converted_at_the_rate_of_the_day(client_api, account, cny_bank):
    response = client_api.post(URL, body(account, cny_bank, deposit_amount="720.00"), format="json")

    data = response.json()
    assert response.status_code == 200
    assert (data["currency"], data["deposit_amount"], data["fee"]) == ("CNY", "720.00", "0.00")
    # Only USD/CNY 7.2 is set: CNY/USD is its inverse, at 10 decimals.
    assert (data["rate"], data["credited_amount"], data["account_currency"]) == ("0.1388888889", "100.00", "USD")


def test_an_online_channel_sends_the_client_to_its_payment_page(client_api, account, online):
    response = client_api.post(URL, body(account, online), format="json")

    data = response.json()
    assert data["pay_type"] == "redirect"
    assert data["pay_url"].startswith("https://crm.example/payments/simulated/")
    assert json.loads(data["pay_data"]) == {
        "order_number": data["order_number"],
        "amount": "1000.00",
        "currency": "USD",
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deposit_amount": "-10.00"}, "deposit_amount"),
        ({"deposit_amount": "0"}, "deposit_amount"),
        ({"deposit_amount": "0.00"}, "deposit_amount"),
        ({"deposit_amount": "ten"}, "deposit_amount"),
        ({"deposit_amount": 100.5}, "deposit_amount"),
        ({"deposit_amount": "100.001"}, "deposit_amount"),  # USD has 2 decimals
        ({"deposit_amount": None}, "deposit_amount"),
        ({"remittance_id": "x"}, "remittance_id"),
        ({"remittance_id": 0}, "remittance_id"),
        ({"trading_account_id": None}, "trading_account_id"),
        ({"remark": "x" * 501}, "remark"),
    ],
)
def test_bad_input_is_invalid_input_on_its_field_and_writes_nothing(client_api, account, bank, fields, field):
    response = client_api.post(URL, body(account, bank, **fields), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == [field]
    assert nothing_written() == (0, 0, 0, 0)


def test_missing_fields_are_named(client_api, account):
    response = client_api.post(URL, {}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == ["deposit_amount", "remittance_id", "trading_account_id"]


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("9.99", "amount_below_minimum", "The minimum is 10.00 USD."),
        ("10000.01", "amount_above_maximum", "The maximum is 10000.00 USD."),
    ],
)
def test_the_channels_limits_hold(client_api, account, bank, amount, code, message):
    response = client_api.post(URL, body(account, bank, deposit_amount=amount), format="json", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json() == {"code": code, "message": message, "fields": {"deposit_amount": [message]}}
    assert nothing_written() == (0, 0, 0, 0)


def test_the_limits_are_inclusive(client_api, account, bank):
    assert client_api.post(URL, body(account, bank, deposit_amount="10.00"), format="json").status_code == 200


def test_an_amount_the_fee_would_eat_is_refused(client_api, account, usd):
    expensive = channel(fixed_fee=D("20.00"), min_amount=D("1.00"))

    response = client_api.post(URL, body(account, expensive, deposit_amount="20.00"), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("amount_not_above_fee", ["deposit_amount"])
    assert nothing_written() == (0, 0, 0, 0)


def test_unknown_and_closed_channels_are_not_found(client_api, account, bank):
    withdrawals_only = ChannelFactory()
    ChannelCurrencyFactory(channel=withdrawals_only, direction=Direction.WITHDRAWAL)
    disabled = channel(is_enabled=False)

    for channel_id in (999999, withdrawals_only.pk, disabled.pk):
        response = client_api.post(URL, body(account, bank, remittance_id=channel_id), format="json")
        assert response.status_code == 404
        assert (response.json()["code"], list(response.json()["fields"])) == ("channel_not_found", ["remittance_id"])
    assert nothing_written() == (0, 0, 0, 0)


def test_a_currency_without_a_rate_to_the_account_is_refused(client_api, account, usd):
    euro_only = channel(code="EUR")

    response = client_api.post(URL, body(account, euro_only, deposit_amount="100.00"), format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "exchange_rate_not_found"
    assert nothing_written() == (0, 0, 0, 0)


def test_someone_elses_account_is_not_found(client_api, bank, other_user, usd):
    theirs = platform_account(user=other_user)

    for account_id in (theirs.pk, 999999):
        response = client_api.post(URL, body(theirs, bank, trading_account_id=account_id), format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "trading_account_not_found"
        assert list(response.json()["fields"]) == ["trading_account_id"]
    assert nothing_written() == (0, 0, 0, 0)


def test_demo_and_disabled_accounts_take_no_deposits(client_api, account, demo_account, bank):
    TradingAccount.objects.filter(pk=account.pk).update(status=TradingAccount.Status.DISABLED)

    demo = client_api.post(URL, body(demo_account, bank), format="json")
    disabled = client_api.post(URL, body(account, bank), format="json")

    assert (demo.status_code, demo.json()["code"]) == (409, "trading_account_is_demo")
    assert (disabled.status_code, disabled.json()["code"]) == (409, "trading_account_disabled")
    assert nothing_written() == (0, 0, 0, 0)


def test_one_open_draft_per_account(client_api, account, bank, client_user):
    first = draft(client_user, account, bank)

    response = client_api.post(URL, body(account, bank), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "deposit_draft_exists"
    assert response.json()["order_number"] == first.order_number
    assert Deposit.objects.count() == 1
    # Another account of the same client may have its own.
    second_account = platform_account(user=client_user, server=account.server)
    assert client_api.post(URL, body(second_account, bank), format="json").status_code == 200


def test_the_database_holds_one_draft_per_account(account, bank, client_user):
    first = draft(client_user, account, bank)

    with pytest.raises(IntegrityError), transaction.atomic():
        Deposit.objects.create(
            order_number="D20260101000001",
            user=client_user,
            trading_account=account,
            channel=bank,
            currency=first.currency,
            account_currency=first.account_currency,
            deposit_amount=D("10"),
            rate=D("1"),
            credited_amount=D("10"),
            expires_at=first.expires_at,
        )


def test_a_switched_off_provider_takes_no_drafts(client_api, account, online, settings):
    settings.PAYMENT_SIMULATOR_ENABLED = False

    response = client_api.post(URL, body(account, online), format="json")

    assert (response.status_code, response.json()["code"]) == (409, "payment_provider_unavailable")
    assert nothing_written() == (0, 0, 0, 0)


def test_staff_have_no_portal(api, staff, account, bank):
    response = api.login_as(staff).post(URL, body(account, bank), format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_a_portal_user")


def test_anonymous_requests_are_refused(api, account, bank):
    assert api.post(URL, body(account, bank), format="json").status_code == 401


def test_precision_follows_the_channels_currency(client_api, account, usd):
    jpy = channel(code="JPY", min_amount=D("1000"), max_amount=D("10000000"))

    ExchangeRateFactory(from_currency=usd, to_currency=currency("JPY"), rate=D("150"))

    refused = client_api.post(URL, body(account, jpy, deposit_amount="15000.5"), format="json")
    accepted = client_api.post(URL, body(account, jpy, deposit_amount="15000"), format="json")

    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_input")
    assert accepted.json()["credited_amount"] == "100.00"
    assert accepted.json()["deposit_amount"] == "15000"
