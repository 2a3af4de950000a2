"""client.deposit.get_draft, submit_request, cancel_request, get_pending_count and list_history."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.files.services import private_url
from funds.deposits import services
from funds.deposits.models import Deposit, DepositEvent
from funds.deposits.tests.conftest import draft, receipt_of, receipt_url, submitted
from funds.ledger.tests.factories import platform_account

GET_DRAFT = "/api/v1/client/deposit/get-draft"
SUBMIT = "/api/v1/client/deposit/submit-request"
CANCEL = "/api/v1/client/deposit/cancel-request"
PENDING = "/api/v1/client/deposit/get-pending-count"
HISTORY = "/api/v1/client/deposit/list-history"
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal
pytestmark = pytest.mark.django_db


def state(deposit: Deposit) -> tuple:
    deposit.refresh_from_db()
    return deposit.status, deposit.receipt_id, deposit.events.count()


# --- get_draft --------------------------------------------------------------------------------------


def test_the_client_reads_their_draft(client_api, account, bank, client_user):
    deposit = draft(client_user, account, bank, remark="Bonus month")

    response = client_api.get(GET_DRAFT, {"order_number": deposit.order_number}, HTTP_X_LANGUAGE="en-US")

    data = response.json()
    assert response.status_code == 200
    assert {key: data[key] for key in ("account_info", "deposit_amount", "order_number", "receipt_url")} == {
        "account_info": f"MT5 {account.login} · {account.account_type.name('en-US')} · USD",
        "deposit_amount": "1000.00",
        "order_number": deposit.order_number,
        "receipt_url": "",
    }
    assert (data["status"], data["fee"], data["credited_amount"], data["remark"], data["pay_type"]) == (
        "draft",
        "6.00",
        "994.00",
        "Bonus month",
        "manual",
    )


def test_a_draft_that_is_not_the_clients_or_not_a_draft_is_refused(client_api, account, bank, client_user, other_user):
    theirs = draft(other_user, platform_account(user=other_user), bank)
    done = submitted(client_user, account, bank)

    not_found = [client_api.get(GET_DRAFT, {"order_number": number}) for number in (theirs.order_number, "D0")]
    not_draft = client_api.get(GET_DRAFT, {"order_number": done.order_number})
    missing = client_api.get(GET_DRAFT)

    assert [(r.status_code, r.json()["code"]) for r in not_found] == [(404, "deposit_not_found")] * 2
    assert (not_draft.status_code, not_draft.json()["code"]) == (409, "deposit_not_draft")
    assert (missing.status_code, list(missing.json()["fields"])) == (400, ["order_number"])


# --- submit_request ---------------------------------------------------------------------------------


def test_submitting_hands_the_receipt_to_the_broker(client_api, account, bank, client_user):
    deposit = draft(client_user, account, bank)
    receipt = receipt_of(client_user)

    response = client_api.post(
        SUBMIT,
        {"order_number": deposit.order_number, "receipt_url": private_url(stored_file=receipt)},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"order_number": deposit.order_number, "status": "submitted"}
    deposit.refresh_from_db()
    assert (deposit.status, deposit.receipt, deposit.submitted_at is not None) == ("submitted", receipt, True)
    assert list(deposit.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "submitted")]
    assert AuditEntry.objects.filter(action="deposit.submitted", target_id=str(deposit.pk)).count() == 1


def test_a_receipt_that_is_not_the_clients_is_not_found(client_api, account, bank, client_user, other_user):
    deposit = draft(client_user, account, bank)
    before = state(deposit)

    for url in (receipt_url(other_user), "https://elsewhere.example/receipt.png", "not a url"):
        response = client_api.post(SUBMIT, {"order_number": deposit.order_number, "receipt_url": url}, format="json")
        assert response.status_code == 404
        assert (response.json()["code"], list(response.json()["fields"])) == ("file_not_found", ["receipt_url"])
    assert state(deposit) == before


def test_only_a_live_draft_of_the_client_can_be_submitted(client_api, account, bank, client_user, other_user):
    theirs = draft(other_user, platform_account(user=other_user), bank)
    done = submitted(client_user, account, bank)
    url = receipt_url(client_user)

    other = client_api.post(SUBMIT, {"order_number": theirs.order_number, "receipt_url": url}, format="json")
    again = client_api.post(SUBMIT, {"order_number": done.order_number, "receipt_url": url}, format="json")
    empty = client_api.post(SUBMIT, {"order_number": done.order_number}, format="json")

    assert (other.status_code, other.json()["code"]) == (404, "deposit_not_found")
    assert (again.status_code, again.json()["code"]) == (409, "deposit_not_draft")
    assert (empty.status_code, list(empty.json()["fields"])) == (400, ["receipt_url"])
    assert state(theirs)[:2] == ("draft", None)


def test_an_expired_draft_cannot_be_submitted(client_api, account, bank, client_user, settings):
    settings.DEPOSIT_DRAFT_TTL = timedelta(hours=1)
    deposit = draft(client_user, account, bank)
    url = receipt_url(client_user)
    before = state(deposit)

    with time_machine.travel(timezone.now() + settings.DEPOSIT_DRAFT_TTL + timedelta(seconds=1)):
        response = client_api.post(SUBMIT, {"order_number": deposit.order_number, "receipt_url": url}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "deposit_draft_expired")
    assert state(deposit) == before


# --- cancel_request ---------------------------------------------------------------------------------


def test_drafts_and_submitted_deposits_can_be_cancelled(client_api, account, bank, client_user):
    first = draft(client_user, account, bank)
    cancelled_draft = client_api.post(CANCEL, {"order_number": first.order_number}, format="json")
    second = submitted(client_user, account, bank)
    cancelled_submitted = client_api.post(CANCEL, {"order_number": second.order_number}, format="json")

    assert cancelled_draft.json() == {"order_number": first.order_number, "status": "cancelled"}
    assert cancelled_submitted.json() == {"order_number": second.order_number, "status": "cancelled"}
    assert list(second.events.values_list("to_status", "actor")) == [
        ("draft", second.user_id),
        ("submitted", second.user_id),
        ("cancelled", second.user_id),
    ]


def test_decided_or_someone_elses_deposits_cannot_be_cancelled(
    client_api, account, bank, client_user, other_user, staff
):
    approved = submitted(client_user, account, bank)
    services.deposit_approve(deposit_id=approved.pk, by=staff)
    theirs = draft(other_user, platform_account(user=other_user), bank)
    before = state(approved), state(theirs)

    late = client_api.post(CANCEL, {"order_number": approved.order_number}, format="json")
    other = client_api.post(CANCEL, {"order_number": theirs.order_number}, format="json")
    again = client_api.post(CANCEL, {"order_number": approved.order_number}, format="json")

    assert (late.status_code, late.json()["code"]) == (409, "deposit_not_cancellable")
    assert (again.status_code, again.json()["code"]) == (409, "deposit_not_cancellable")
    assert (other.status_code, other.json()["code"]) == (404, "deposit_not_found")
    assert (state(approved), state(theirs)) == before


# --- get_pending_count ------------------------------------------------------------------------------


def test_the_pending_count_is_the_clients_deposits_waiting_for_review(
    client_api, account, bank, cny_bank, client_user, other_user, staff
):
    submitted(client_user, account, bank)
    second_account = platform_account(user=client_user, server=account.server)
    submitted(client_user, second_account, cny_bank, "720.00")
    services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)
    draft(client_user, account, bank)
    submitted(other_user, platform_account(user=other_user), bank)

    response = client_api.get(PENDING, {"page": 1, "size": 20})

    assert response.status_code == 200
    assert response.json() == {"count": 2}
    assert client_api.get(PENDING).json() == {"count": 2}
    assert client_api.get(PENDING, {"page": 0}).json()["code"] == "invalid_input"


# --- list_history -----------------------------------------------------------------------------------


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


def test_the_history_lists_the_clients_deposits_newest_first_within_the_times(
    client_api, account, bank, client_user, other_user
):
    made = {}
    for day in (1, 2, 3):
        with time_machine.travel(at(day), tick=False):
            made[day] = draft(client_user, account, bank, amount=f"{day}00.00")
            services.deposit_cancel(user=client_user, order_number=made[day].order_number)
    with time_machine.travel(at(2), tick=False):
        draft(other_user, platform_account(user=other_user), bank)

    everything = client_api.get(HISTORY).json()
    window = client_api.get(
        HISTORY, {"start_time": "2026-03-02 00:00:00", "end_time": "2026-03-03 11:59:59"}, HTTP_X_LANGUAGE="zh-CN"
    ).json()
    paged = client_api.get(HISTORY, {"page": 2, "size": 2}).json()

    assert [row["order_number"] for row in everything["list"]] == [made[day].order_number for day in (3, 2, 1)]
    assert everything["total"] == 3
    assert window["total"] == 1
    assert window["list"][0] == {
        "order_number": made[2].order_number,
        "status": "cancelled",
        "trading_account_id": account.pk,
        "login": account.login,
        "account_info": f"MT5 {account.login} · {account.account_type.name('zh-CN')} · USD",
        "remittance_id": bank.pk,
        "remittance_name": "银行转账 USD",
        "method": "bank_transfer",
        "currency": "USD",
        "deposit_amount": "200.00",
        "fee": "2.00",
        "account_currency": "USD",
        "rate": "1",
        "credited_amount": "198.00",
        "remark": "",
        "reason": "",
        "receipt_url": "",
        "created_at": "2026-03-02 12:00:00",
        "submitted_at": None,
        "decided_at": None,
        "credited_at": None,
    }
    assert (paged["total"], [row["order_number"] for row in paged["list"]]) == (3, [made[1].order_number])


def test_the_history_query_count_does_not_grow_with_the_rows(client_api, account, bank, client_user):
    draft(client_user, account, bank)
    client_api.get(HISTORY)  # fills the caches (time zone, language)
    with CaptureQueriesContext(connection) as one:
        client_api.get(HISTORY)
    for _ in range(4):
        deposit = draft(client_user, platform_account(user=client_user), bank)
        services.deposit_cancel(user=client_user, order_number=deposit.order_number)
    with CaptureQueriesContext(connection) as five:
        rows = client_api.get(HISTORY).json()["list"]

    assert len(rows) == 5
    # token, deposits with their accounts, channels, currencies, account currencies (no COUNT: one page)
    assert len(five) == len(one) == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start_time": "2026-03-02"}, "start_time"),
        ({"end_time": "yesterday"}, "end_time"),
        ({"start_time": "2026-03-03 00:00:00", "end_time": "2026-03-02 00:00:00"}, "end_time"),
        ({"size": 101}, "size"),
    ],
)
def test_bad_history_queries_are_invalid_input(client_api, query, field):
    response = client_api.get(HISTORY, query)

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid_input", [field])


def test_the_history_shows_a_receipt_link_and_the_decision(client_api, account, bank, client_user, staff):
    deposit = submitted(client_user, account, bank)
    services.deposit_reject(deposit_id=deposit.pk, by=staff, reason="Receipt unreadable")

    row = client_api.get(HISTORY).json()["list"][0]

    assert row["status"] == "rejected" and row["reason"] == "Receipt unreadable"
    assert row["receipt_url"].startswith("https://crm.example/files/")
    assert row["decided_at"] is not None and row["submitted_at"] is not None
    assert DepositEvent.objects.filter(deposit=deposit).count() == 3


def test_refusals_speak_the_requests_language(client_api):
    chinese = client_api.post(CANCEL, {"order_number": "D0"}, format="json", HTTP_X_LANGUAGE="zh-CN").json()
    english = client_api.post(CANCEL, {"order_number": "D0"}, format="json", HTTP_X_LANGUAGE="en-US").json()

    assert chinese["code"] == english["code"] == "deposit_not_found"
    assert (chinese["message"], english["message"]) == ("未找到该入金。", "Deposit not found.")
    assert chinese["fields"] == {"order_number": ["您没有该订单号的入金。"]}
