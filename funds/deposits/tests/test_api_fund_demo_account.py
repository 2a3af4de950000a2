"""client.deposit.fund_demo_account: play money for demo accounts, within the caps, through the outbox."""

from decimal import Decimal

import pytest

from crm.audit.models import AuditEntry
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute
from crm.platforms.simulator import faults
from funds.ledger.models import Journal
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import client_trading_account, demo_funding_account
from funds.ledger.tests.factories import platform_account, platform_balance

URL = "/api/v1/client/deposit/fund-demo-account"
D = Decimal
pytestmark = pytest.mark.django_db


def nothing_changed(account) -> tuple:
    return (
        Journal.objects.count(),
        PlatformOperation.objects.count(),
        AuditEntry.objects.count(),
        platform_balance(account),
    )


def test_a_demo_account_is_topped_up(client_api, demo_account, client_user):
    response = client_api.post(URL, {"amount": "2500.50", "trading_account_id": demo_account.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    operation = PlatformOperation.objects.get()
    assert operation.payload == {
        "login": demo_account.login,
        "kind": "deposit",
        "amount": "2500.50",
        "comment": "Demo top-up",
    }
    journal = Journal.objects.get()
    assert (journal.kind, journal.created_by, journal.idempotency_key) == (
        "demo_funding",
        client_user,
        operation.idempotency_key,
    )
    assert sorted(journal.entries.values_list("account__code", "amount")) == [
        (f"client_trading:{demo_account.pk}", D("-2500.50")),
        ("demo_funding:USD", D("2500.50")),
    ]
    assert AuditEntry.objects.get().action == "demo_account.funded"

    platform_operation_execute(operation_id=operation.pk)

    assert platform_balance(demo_account) == D("3500.50")
    assert ledger_balance(account=client_trading_account(trading_account=demo_account)) == D("2500.50")
    assert ledger_balance(account=demo_funding_account(currency="USD")) == D("2500.50")


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5.00", "amount"), ("1.001", "amount"), ("abc", "amount"), (12.5, "amount")],
)
def test_bad_amounts_are_invalid_input(client_api, demo_account, amount, field):
    before = nothing_changed(demo_account)

    response = client_api.post(URL, {"amount": amount, "trading_account_id": demo_account.pk}, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid_input", [field])
    assert nothing_changed(demo_account) == before


def test_one_top_up_has_a_cap(client_api, demo_account):
    before = nothing_changed(demo_account)

    response = client_api.post(URL, {"amount": "10000.01", "trading_account_id": demo_account.pk}, format="json")
    at_cap = client_api.post(URL, {"amount": "10000.00", "trading_account_id": demo_account.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "amount_above_maximum",
        "message": response.json()["message"],
        "fields": {"amount": [response.json()["message"]]},
    }
    assert "10000.00 USD" in response.json()["message"]
    assert at_cap.status_code == 200
    assert nothing_changed(demo_account)[:2] == (before[0] + 1, before[1] + 1)


def test_the_account_balance_has_a_cap_counting_top_ups_on_their_way(client_api, demo_account):
    # The cap is 50000.00: 1000.00 already on the platform, then four top-ups not yet done there.
    for _ in range(4):
        assert (
            client_api.post(
                URL, {"amount": "10000.00", "trading_account_id": demo_account.pk}, format="json"
            ).status_code
            == 200
        )
    before = nothing_changed(demo_account)

    over = client_api.post(URL, {"amount": "9000.01", "trading_account_id": demo_account.pk}, format="json")
    exact = client_api.post(URL, {"amount": "9000.00", "trading_account_id": demo_account.pk}, format="json")

    assert over.status_code == 400
    assert (over.json()["code"], list(over.json()["fields"])) == ("demo_balance_limit_exceeded", ["amount"])
    assert exact.status_code == 200
    assert nothing_changed(demo_account)[1] == before[1] + 1


def test_live_disabled_or_someone_elses_accounts_are_refused(client_api, account, client_user, other_user):
    theirs = platform_account(user=other_user, is_demo=True)
    before = nothing_changed(account)

    live = client_api.post(URL, {"amount": "100.00", "trading_account_id": account.pk}, format="json")
    other = client_api.post(URL, {"amount": "100.00", "trading_account_id": theirs.pk}, format="json")
    unknown = client_api.post(URL, {"amount": "100.00", "trading_account_id": 999999}, format="json")
    missing = client_api.post(URL, {"amount": "100.00"}, format="json")

    assert (live.status_code, live.json()["code"]) == (409, "trading_account_not_demo")
    assert (other.status_code, other.json()["code"]) == (404, "trading_account_not_found")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "trading_account_not_found")
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["trading_account_id"])
    assert nothing_changed(account) == before


def test_a_platform_that_does_not_answer_tops_up_nothing(client_api, demo_account):
    faults.inject(demo_account.server, "account_state", "unavailable")
    before = nothing_changed(demo_account)

    response = client_api.post(URL, {"amount": "100.00", "trading_account_id": demo_account.pk}, format="json")

    assert (response.status_code, response.json()["code"]) == (503, "platform_unavailable")
    assert nothing_changed(demo_account) == before
