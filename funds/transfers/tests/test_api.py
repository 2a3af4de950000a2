"""client.transfer.create_request and list_history."""

from decimal import Decimal

import pytest

from funds.transfers.models import Transfer
from funds.withdrawals.tests.helpers import funded_account, money_snapshot, run_outbox

D = Decimal
pytestmark = pytest.mark.django_db
CREATE = "/api/v1/client/transfer/create-request"
HISTORY = "/api/v1/client/transfer/list-history"


def body(source, target, **overrides) -> dict:
    return {
        "amount": "100.00",
        "remark": "",
        "source_trading_account_id": source.pk,
        "target_trading_account_id": target.pk,
        **overrides,
    }


def test_create_answers_the_review_id_and_status(client_api, source, target):
    response = client_api.post(CREATE, body(source, target, remark="margin top-up"), format="json")

    assert response.status_code == 200, response.json()
    made = Transfer.objects.get()
    assert response.json() == {"audit_id": made.pk, "audit_status": "approved", "order_number": made.order_number}
    assert made.remark == "margin top-up"

    large = client_api.post(CREATE, body(source, target, amount="1000.00"), format="json").json()
    assert large["audit_status"] == "pending"


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"amount": "0"}, 400, "invalid_input", "amount"),
        ({"amount": "-1.00"}, 400, "invalid_input", "amount"),
        ({"amount": "1.005"}, 400, "invalid_input", "amount"),
        ({"amount": 12.5}, 400, "invalid_input", "amount"),
        ({"amount": "5000.01"}, 400, "insufficient_free_margin", "amount"),
        ({"remark": None}, 400, "invalid_input", "remark"),
        ({"source_trading_account_id": "x"}, 400, "invalid_input", "source_trading_account_id"),
        ({"target_trading_account_id": 999999}, 404, "trading_account_not_found", "target_trading_account_id"),
    ],
)
def test_bad_requests_get_the_error_format_and_change_nothing(
    client_api, source, target, overrides, status, code, field
):
    request = {key: value for key, value in body(source, target, **overrides).items() if value is not None}
    before = money_snapshot(source, target)

    response = client_api.post(CREATE, request, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert money_snapshot(source, target) == before


def test_the_same_account_twice_is_refused(client_api, source):
    response = client_api.post(CREATE, body(source, source), format="json")

    assert (response.status_code, response.json()["code"]) == (400, "same_account")


def test_someone_elses_account_is_not_found(client_api, other_user, source):
    theirs = funded_account(other_user, "100.00")

    response = client_api.post(CREATE, body(source, theirs), format="json")

    assert (response.status_code, response.json()["code"]) == (404, "trading_account_not_found")
    assert Transfer.objects.count() == 0


def test_the_history_shows_the_clients_transfers(client_api, client_user, other_user, source, target):
    client_api.post(CREATE, body(source, target, amount="40.00"), format="json")
    run_outbox()
    theirs = funded_account(other_user, "100.00")
    funded_other = funded_account(other_user, "0")
    from funds.transfers.services import transfer_request

    transfer_request(user=other_user, source_id=theirs.pk, target_id=funded_other.pk, amount=D("10.00"))

    data = client_api.get(HISTORY, {"page": 1, "size": 10}).json()

    made = Transfer.objects.get(user=client_user)
    assert data["total"] == 1
    row = data["list"][0]
    assert row == {
        "id": made.pk,
        "order_number": made.order_number,
        "status": "completed",
        "source_trading_account_id": source.pk,
        "source_login": source.login,
        "target_trading_account_id": target.pk,
        "target_login": target.login,
        "currency": "USD",
        "amount": "40.00",
        "rate": "1",
        "target_currency": "USD",
        "target_amount": "40.00",
        "remark": "",
        "reason": "",
        "is_auto_approved": True,
        "created_at": row["created_at"],
        "decided_at": row["decided_at"],
        "completed_at": row["completed_at"],
        "closed_at": None,
    }
    assert row["completed_at"] is not None
    assert client_api.get(HISTORY, {"start_time": "2000-01-01 00:00:00", "end_time": "2000-01-02 00:00:00"}).json() == {
        "list": [],
        "total": 0,
    }
