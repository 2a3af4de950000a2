"""client.withdrawal.create_request: the quote, the payout details, the e-mail code and the free margin;
the money held at once (journal + outbox in one transaction); every refusal changes nothing."""

from decimal import Decimal

import pytest

from crm.configuration.models import VerificationScene
from crm.platforms.simulator import faults
from crm.verification.models import EmailCode
from crm.verification.tests.factories import EmailCodeFactory
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import client_hold_account, client_trading_account
from funds.tests.factories import PayoutAccountFactory, bank_transfer_info, cryptocurrency_info
from funds.withdrawals.models import FundingUsage, Hold, Usage, Withdrawal
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.tests.helpers import (
    credit_in,
    entries_of,
    fund,
    funded_account,
    money_snapshot,
    platform_balance,
    run_outbox,
)

D = Decimal
URL = "/api/v1/client/withdrawal/create-request"
pytestmark = pytest.mark.django_db


def body(account, channel, **overrides) -> dict:
    """A valid request of 1000.00 USD through `bank` (fee 5.00 + 1 % = 15.00)."""
    return {
        "trading_account_id": account.pk,
        "remittance_id": channel.pk,
        "method": "bank_transfer",
        "currency": "USD",
        "withdrawal_amount": "1000.00",
        "fee": "15.00",
        "exchange_rate": "1",
        "remittance_amount": "985.00",
        "bank_transfer_info": bank_transfer_info(),
        "remark": "rent",
        **overrides,
    }


def test_a_request_holds_the_money_at_once(
    client_api, client_user, account, bank, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_api.post(URL, body(account, bank), format="json")

    assert response.status_code == 200, response.json()
    withdrawal = Withdrawal.objects.get()
    data = response.json()
    assert data == {
        "id": withdrawal.pk,
        "order_number": withdrawal.order_number,
        "status": "pending",
        "trading_account_id": account.pk,
        "login": account.login,
        "remittance_id": bank.pk,
        "remittance_name": "Withdrawal USD",
        "method": "bank_transfer",
        "account_currency": "USD",
        "withdrawal_amount": "1000.00",
        "currency": "USD",
        "exchange_rate": "1",
        "fee": "15.00",
        "remittance_amount": "985.00",
        "payout_account_id": None,
        "bank_transfer_info": bank_transfer_info(),
        "international_wire_info": None,
        "cryptocurrency_info": None,
        "remark": "rent",
        "reason": "",
        "payment_reference": "",
        "created_at": data["created_at"],
        "decided_at": None,
        "paid_at": None,
        "closed_at": None,
    }
    assert withdrawal.order_number.startswith("W") and len(withdrawal.order_number) == 15
    hold = withdrawal.hold
    assert (hold.amount, hold.status, hold.platform_status, hold.hold_key, hold.release_key) == (
        D("1000.00"),
        "held",
        "requested",
        f"withdrawal:{withdrawal.pk}:hold",
        f"withdrawal:{withdrawal.pk}:release",
    )
    assert entries_of(hold.hold_journal) == [
        (f"client_hold:{account.pk}", D("-1000.00")),
        (f"client_trading:{account.pk}", D("1000.00")),
    ]
    assert hold.hold_journal.kind == "withdrawal_hold"
    operation = hold.hold_operation
    assert (operation.idempotency_key, operation.status, operation.on_done) == (
        f"withdrawal:{withdrawal.pk}:hold",
        "pending",
        "funds.withdrawals.services.withdrawal_on_hold_applied",
    )
    assert operation.payload == {
        "login": account.login,
        "kind": "withdrawal",
        "amount": "1000.00",
        "comment": f"Withdrawal {withdrawal.order_number}",
    }
    assert sent_tasks == [operation.pk]
    assert list(withdrawal.events.values_list("action", "from_status", "to_status", "actor")) == [
        ("requested", "", "pending", client_user.pk)
    ]
    # The ledger holds it now; the platform once the outbox runs. Both agree all along.
    assert ledger_balance(account=client_trading_account(trading_account=account)) == D("4000.00")
    assert ledger_balance(account=client_hold_account(trading_account=account)) == D("1000.00")
    assert platform_balance(account) == D("5000.00")
    assert reconcile() == [] and hold_differences() == []

    run_outbox()

    hold.refresh_from_db()
    assert (hold.platform_status, platform_balance(account)) == ("applied", D("4000.00"))
    assert withdrawal.events.last().action == "hold_applied"
    assert reconcile() == [] and hold_differences() == []


def test_a_withdrawal_in_another_currency_is_converted_then_charged(client_api, account, cny_bank):
    response = client_api.post(
        URL,
        body(
            account,
            cny_bank,
            currency="CNY",
            withdrawal_amount="100.00",
            fee="0.00",
            exchange_rate="7.2",
            remittance_amount="720.00",
        ),
        format="json",
    )

    assert response.status_code == 200, response.json()
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.withdrawal_amount, withdrawal.exchange_rate, withdrawal.remittance_amount) == (
        D("100.00"),
        D("7.2"),
        D("720.00"),
    )
    assert withdrawal.hold.amount == D("100.00")  # held in the account's currency


def test_a_crypto_withdrawal_takes_a_wallet_on_the_channels_network(client_api, account, crypto):
    response = client_api.post(
        URL,
        body(
            account,
            crypto,
            method="cryptocurrency",
            currency="USDT",
            withdrawal_amount="100.00",
            fee="1",
            exchange_rate="1",
            remittance_amount="99.000000",
            bank_transfer_info=None,
            cryptocurrency_info=cryptocurrency_info(),
        ),
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["fee"], data["remittance_amount"], data["cryptocurrency_info"]["network"]) == (
        "1.000000",
        "99.000000",
        "TRC20",
    )


def test_a_payout_account_of_the_client_may_stand_for_the_details(client_api, client_user, account, bank):
    payout = PayoutAccountFactory(owner=client_user)

    response = client_api.post(
        URL, body(account, bank, bank_transfer_info=None, payout_account_id=payout.pk), format="json"
    )

    assert response.status_code == 200, response.json()
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.payout_account, withdrawal.payout_details) == (payout, payout.bank_transfer_info)


def test_credit_is_never_withdrawn(client_api, client_user, bank):
    account = funded_account(client_user, "1000.00")
    credit_in(account, "500.00")  # free margin 1500.00, of which 500.00 is the broker's
    before = money_snapshot(account)

    response = client_api.post(
        URL,
        body(account, bank, withdrawal_amount="1000.01", fee="15.00", remittance_amount="985.01"),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_free_margin"
    assert response.json()["available"] == "1000.00"
    assert money_snapshot(account) == before
    assert client_api.post(URL, body(account, bank), format="json").status_code == 200


def test_holds_not_yet_applied_count_against_the_free_margin(client_api, client_user, bank):
    account = funded_account(client_user, "2500.00")
    assert client_api.post(URL, body(account, bank), format="json").status_code == 200
    assert client_api.post(URL, body(account, bank), format="json").status_code == 200  # 2 × 1000 held, not applied

    response = client_api.post(URL, body(account, bank), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["available"]) == ("insufficient_free_margin", "500.00")
    run_outbox()  # applied now: the platform's free margin says the same
    response = client_api.post(URL, body(account, bank), format="json")
    assert (response.json()["code"], response.json()["available"]) == ("insufficient_free_margin", "500.00")
    assert Hold.objects.count() == 2


# --- refusals -------------------------------------------------------------------------------------------


def refusal(status: int, code: str, field: str | None = None):
    return status, code, field


REFUSALS = {
    "negative": ({"withdrawal_amount": "-10.00"}, refusal(400, "invalid_input", "withdrawal_amount")),
    "zero": ({"withdrawal_amount": "0"}, refusal(400, "invalid_input", "withdrawal_amount")),
    "too precise": ({"withdrawal_amount": "100.001"}, refusal(400, "invalid_input", "withdrawal_amount")),
    "a float": ({"withdrawal_amount": 100.5}, refusal(400, "invalid_input", "withdrawal_amount")),
    "fee too precise": ({"fee": "15.001"}, refusal(400, "invalid_input", "fee")),
    "negative fee": ({"fee": "-1"}, refusal(400, "invalid_input", "fee")),
    "bad rate": ({"exchange_rate": "abc"}, refusal(400, "invalid_input", "exchange_rate")),
    "below the minimum": (
        {"withdrawal_amount": "9.99", "fee": "5.10", "remittance_amount": "4.89"},
        refusal(400, "amount_below_minimum", "withdrawal_amount"),
    ),
    "above the maximum": (
        {"withdrawal_amount": "20000.01", "fee": "205.00", "remittance_amount": "19795.01"},
        refusal(400, "amount_above_maximum", "withdrawal_amount"),
    ),
    "over the free margin": (
        {"withdrawal_amount": "5000.01", "fee": "55.00", "remittance_amount": "4945.01"},
        refusal(400, "insufficient_free_margin", "withdrawal_amount"),
    ),
    "another fee": ({"fee": "10.00"}, refusal(409, "quote_changed", "fee")),
    "another rate": ({"exchange_rate": "1.01"}, refusal(409, "quote_changed", "exchange_rate")),
    "another remittance": ({"remittance_amount": "990.00"}, refusal(409, "quote_changed", "remittance_amount")),
    "unknown channel": ({"remittance_id": 999999}, refusal(404, "channel_not_found", "remittance_id")),
    "unknown currency": ({"currency": "XYZ"}, refusal(404, "currency_not_found", "currency")),
    "currency not paid out": ({"currency": "EUR"}, refusal(400, "currency_not_supported", "currency")),
    "another method": ({"method": "cryptocurrency"}, refusal(400, "invalid_input", "method")),
    "unknown method": ({"method": "cash"}, refusal(400, "invalid_input", "method")),
    "no details": ({"bank_transfer_info": None}, refusal(400, "invalid_input", "bank_transfer_info")),
    "bad details": (
        {"bank_transfer_info": bank_transfer_info(account_number="!")},
        refusal(400, "invalid_input", "bank_transfer_info.account_number"),
    ),
    "another method's details": (
        {"international_wire_info": {"bank_name": "X"}},
        refusal(400, "invalid_input", "international_wire_info"),
    ),
    "unknown account": (
        {"trading_account_id": 999999},
        refusal(404, "trading_account_not_found", "trading_account_id"),
    ),
    "missing amount": ({"withdrawal_amount": None}, refusal(400, "invalid_input", "withdrawal_amount")),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_change_nothing(client_api, account, bank, case):
    from funds.tests.factories import currency

    currency("EUR")
    overrides, (status, code, field) = REFUSALS[case]
    request = body(account, bank, **overrides)
    request = {key: value for key, value in request.items() if value is not None or key.endswith("_info")}
    before = money_snapshot(account)

    response = client_api.post(URL, request, format="json")

    assert response.status_code == status, response.json()
    data = response.json()
    assert data["code"] == code
    assert set(data) >= {"code", "message", "fields"} and data["message"]
    if field:
        assert field in data["fields"], data["fields"]
    assert money_snapshot(account) == before


def test_a_quote_changed_answer_carries_the_fresh_quote(client_api, account, bank):
    response = client_api.post(URL, body(account, bank, fee="14.00", remittance_amount="986.00"), format="json")

    assert response.status_code == 409
    assert response.json()["fields"] == {"fee": ["15.00"], "exchange_rate": ["1"], "remittance_amount": ["985.00"]}


def test_someone_elses_account_is_not_found(client_api, other_user, bank):
    theirs = funded_account(other_user, "5000.00")
    before = money_snapshot(theirs)

    response = client_api.post(URL, body(theirs, bank), format="json")

    assert (response.status_code, response.json()["code"]) == (404, "trading_account_not_found")
    assert money_snapshot(theirs) == before


def test_someone_elses_payout_account_is_not_found(client_api, other_user, account, bank):
    theirs = PayoutAccountFactory(owner=other_user)
    before = money_snapshot(account)

    response = client_api.post(
        URL, body(account, bank, bank_transfer_info=None, payout_account_id=theirs.pk), format="json"
    )

    assert (response.status_code, response.json()["code"]) == (404, "payout_account_not_found")
    assert "payout_account_id" in response.json()["fields"]
    assert money_snapshot(account) == before


def test_a_wallet_on_another_network_is_refused(client_api, account, crypto):
    from funds.tests.factories import ETHEREUM_ADDRESS, CryptoNetworkFactory

    CryptoNetworkFactory(erc20=True)
    before = money_snapshot(account)

    response = client_api.post(
        URL,
        body(
            account,
            crypto,
            method="cryptocurrency",
            currency="USDT",
            withdrawal_amount="100.00",
            fee="1",
            remittance_amount="99",
            bank_transfer_info=None,
            cryptocurrency_info=cryptocurrency_info(network="ERC20", wallet_address=ETHEREUM_ADDRESS),
        ),
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid_input")
    assert "cryptocurrency_info.network" in response.json()["fields"]
    assert money_snapshot(account) == before


def test_demo_disabled_and_deposit_only_accounts_are_refused(client_api, client_user, account, bank):
    from funds.ledger.tests.factories import platform_account

    demo = platform_account(user=client_user, is_demo=True, balance="1000.00")
    response = client_api.post(URL, body(demo, bank), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "trading_account_is_demo")

    FundingUsage.objects.create(account_type=account.account_type, usage=Usage.DEPOSIT_ONLY)
    response = client_api.post(URL, body(account, bank), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "account_usage_not_allowed")

    FundingUsage.objects.filter(account_type=account.account_type).update(usage=Usage.WITHDRAWAL_ONLY)
    account.status = account.Status.DISABLED
    account.save()
    response = client_api.post(URL, body(account, bank), format="json")
    assert (response.status_code, response.json()["code"]) == (409, "trading_account_disabled")
    assert Withdrawal.objects.count() == 0


def test_an_unreachable_platform_refuses_the_request_and_changes_nothing(client_api, account, bank):
    faults.inject(account.server, operation="account_state", fault="unavailable")
    before = money_snapshot(account)

    response = client_api.post(URL, body(account, bank), format="json")

    assert (response.status_code, response.json()["code"]) == (503, "platform_unavailable")
    assert money_snapshot(account) == before


def test_staff_have_no_portal(api, staff, account, bank):
    response = api.login_as(staff).post(URL, body(account, bank), format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_a_portal_user")


# --- the e-mail code -------------------------------------------------------------------------------------


@pytest.fixture
def codes_required(security):
    security.email_verification_scenarios = [VerificationScene.WITHDRAWAL]
    security.save()


def live_code(user, code: str = "123456"):
    return EmailCodeFactory(email=user.email, scene=VerificationScene.WITHDRAWAL, code=code)


def test_the_email_code_is_asked_for_when_the_company_wants_it(client_api, client_user, account, bank, codes_required):
    before = money_snapshot(account)
    response = client_api.post(URL, body(account, bank), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "email_code_required")
    assert "email_code" in response.json()["fields"]

    code = live_code(client_user)
    response = client_api.post(URL, body(account, bank, email_code="654321"), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "email_code_invalid")
    assert money_snapshot(account) == before

    response = client_api.post(URL, body(account, bank, email_code="123456"), format="json")
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.consumed_at is not None


def test_a_refused_request_leaves_the_code_usable(client_api, client_user, account, bank, codes_required):
    code = live_code(client_user)

    response = client_api.post(
        URL,
        body(account, bank, email_code="123456", withdrawal_amount="5000.01", fee="55.00", remittance_amount="4945.01"),
        format="json",
    )

    assert response.json()["code"] == "insufficient_free_margin"
    assert EmailCode.objects.get(pk=code.pk).consumed_at is None
    assert client_api.post(URL, body(account, bank, email_code="123456"), format="json").status_code == 200


def test_a_code_serves_one_request(client_api, client_user, account, bank, codes_required):
    live_code(client_user)
    assert client_api.post(URL, body(account, bank, email_code="123456"), format="json").status_code == 200

    response = client_api.post(URL, body(account, bank, email_code="123456"), format="json")

    assert (response.status_code, response.json()["code"]) == (400, "email_code_expired")
    assert Withdrawal.objects.count() == 1


def test_money_funded_later_can_be_withdrawn(client_api, account, bank):
    fund(account, "100.00")

    response = client_api.post(
        URL, body(account, bank, withdrawal_amount="5100.00", fee="56.00", remittance_amount="5044.00"), format="json"
    )

    assert response.status_code == 200, response.json()
