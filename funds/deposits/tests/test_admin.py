"""The deposits queue in the back office: filters, search, receipts, decisions, exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from crm.platforms.models import PlatformOperation
from crm.users.tests.factories import UserFactory
from funds.deposits import services
from funds.deposits.models import Deposit
from funds.deposits.tests.conftest import draft, submitted
from funds.ledger.models import Journal
from funds.ledger.tests.factories import platform_account

D = Decimal
QUEUE = reverse("admin:deposits_deposit_changelist")
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def queue(account, bank, cny_bank, client_user, other_user, staff):
    """A submitted USD deposit of Alice, a submitted CNY one of Bob, a draft of Alice, a rejected one."""
    alice_second = platform_account(user=client_user, server=account.server)
    rejected = submitted(client_user, alice_second, bank, "50.00")
    services.deposit_reject(deposit_id=rejected.pk, by=staff, reason="Wrong payer")
    return {
        "alice": submitted(client_user, account, bank),
        "bob": submitted(other_user, platform_account(user=other_user, server=account.server), cny_bank, "720.00"),
        "draft": draft(client_user, alice_second, bank, "20.00"),
        "rejected": rejected,
    }


def listed(response) -> set[str]:
    return {deposit.order_number for deposit in response.context["cl"].result_list}


def test_the_queue_filters_and_searches(staff_client, queue, account, cny_bank):
    everything = staff_client.get(QUEUE)
    waiting = staff_client.get(QUEUE, {"status__exact": "submitted"})
    by_channel = staff_client.get(QUEUE, {"channel__id__exact": cny_bank.pk})
    by_email = staff_client.get(QUEUE, {"q": "bob@example.com"})
    by_number = staff_client.get(QUEUE, {"q": queue["alice"].order_number})
    by_login = staff_client.get(QUEUE, {"q": str(account.login)})

    assert everything.status_code == 200
    assert listed(everything) == {deposit.order_number for deposit in queue.values()}
    assert listed(waiting) == {queue["alice"].order_number, queue["bob"].order_number}
    assert listed(by_channel) == listed(by_email) == {queue["bob"].order_number}
    assert listed(by_number) == listed(by_login) == {queue["alice"].order_number}


def test_a_deposit_page_shows_the_receipt_the_history_and_the_decision_buttons(staff_client, queue):
    deposit = queue["alice"]

    page = staff_client.get(reverse("admin:deposits_deposit_change", args=[deposit.pk])).content.decode()

    assert '<img src="https://crm.example/files/' in page
    assert reverse("admin:deposits_deposit_approve", args=[deposit.pk]) in page
    assert reverse("admin:deposits_deposit_reject", args=[deposit.pk]) in page
    assert "Demo Bank" in page  # the payment data
    assert page.count("alice@example.com") >= 1


def test_bulk_approval_approves_the_submitted_and_reports_the_rest(staff_client, queue, staff):
    chosen = [queue["alice"].pk, queue["bob"].pk, queue["draft"].pk]

    response = staff_client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: chosen}, follow=True)

    statuses = dict(Deposit.objects.filter(pk__in=chosen).values_list("pk", "status"))
    assert statuses == {queue["alice"].pk: "approved", queue["bob"].pk: "approved", queue["draft"].pk: "draft"}
    assert Journal.objects.count() == PlatformOperation.objects.count() == 2
    texts = [str(message) for message in response.context["messages"]]
    assert "2 deposits approved." in texts
    assert any(text.startswith(f"#{queue['draft'].pk}: ") for text in texts)
    assert Deposit.objects.get(pk=queue["alice"].pk).decided_by == staff


def test_bulk_rejection_asks_for_a_reason_first(staff_client, queue):
    chosen = [queue["alice"].pk, queue["bob"].pk]

    form = staff_client.post(QUEUE, {"action": "reject_selected", ACTION_CHECKBOX_NAME: chosen})
    empty = staff_client.post(
        QUEUE, {"action": "reject_selected", ACTION_CHECKBOX_NAME: chosen, "apply": "1", "reason": ""}
    )
    done = staff_client.post(
        QUEUE, {"action": "reject_selected", ACTION_CHECKBOX_NAME: chosen, "apply": "1", "reason": "Not our bank"}
    )

    assert form.status_code == empty.status_code == 200
    assert "Not our bank" not in form.content.decode() and queue["alice"].order_number in form.content.decode()
    assert done.status_code == 302
    assert set(Deposit.objects.filter(pk__in=chosen).values_list("status", "reason")) == {("rejected", "Not our bank")}
    assert Journal.objects.count() == 0


def test_one_deposit_is_approved_or_rejected_from_its_page(staff_client, queue):
    approve = staff_client.post(reverse("admin:deposits_deposit_approve", args=[queue["alice"].pk]))
    reject_form = staff_client.get(reverse("admin:deposits_deposit_reject", args=[queue["bob"].pk]))
    rejected = staff_client.post(
        reverse("admin:deposits_deposit_reject", args=[queue["bob"].pk]), {"apply": "1", "reason": "Duplicate"}
    )

    assert approve.status_code == 302 and rejected.status_code == 302
    assert reject_form.status_code == 200
    assert Deposit.objects.get(pk=queue["alice"].pk).status == "approved"
    assert Deposit.objects.get(pk=queue["bob"].pk).reason == "Duplicate"


def test_staff_without_the_permission_cannot_decide(client, queue):
    viewer = UserFactory(role="staff")
    viewer.user_permissions.add(Permission.objects.get(codename="view_deposit"))
    client.force_login(viewer)

    listing = client.get(QUEUE)
    client.post(reverse("admin:deposits_deposit_approve", args=[queue["alice"].pk]))
    client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [queue["alice"].pk]})

    assert listing.status_code == 200
    assert "approve_selected" not in listing.content.decode()
    assert Deposit.objects.get(pk=queue["alice"].pk).status == "submitted"


def test_deposits_cannot_be_added_edited_or_deleted(staff_client, queue):
    deposit = queue["alice"]

    assert staff_client.get(reverse("admin:deposits_deposit_add")).status_code == 403
    assert (
        staff_client.post(reverse("admin:deposits_deposit_delete", args=[deposit.pk]), {"post": "yes"}).status_code
        == 403
    )
    staff_client.post(reverse("admin:deposits_deposit_change", args=[deposit.pk]), {"credited_amount": "1000000"})
    deposit.refresh_from_db()
    assert deposit.credited_amount == D("994.00")


def test_the_filtered_queue_exports_to_csv(staff_client, queue, account, bank):
    response = staff_client.get(reverse("admin:deposits_deposit_export_csv"), {"status__exact": "submitted"})

    text = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv"
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["order_number"] for row in rows] == [queue["bob"].order_number, queue["alice"].order_number]
    alice = rows[1]
    assert {key: alice[key] for key in ("status", "client_email", "login", "currency", "deposit_amount", "fee")} == {
        "status": "submitted",
        "client_email": "alice@example.com",
        "login": str(account.login),
        "currency": "USD",
        "deposit_amount": "1000.00",
        "fee": "6.00",
    }
    assert (alice["credited_amount"], alice["rate"], alice["channel"]) == ("994.00", "1", "银行转账 USD")
    assert rows[0]["rate"] == "0.1388888889" and rows[0]["credited_amount"] == "100.00"


def test_the_filtered_queue_exports_to_excel(staff_client, queue):
    response = staff_client.get(reverse("admin:deposits_deposit_export_xlsx"), {"q": "bob@example.com"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert response["Content-Disposition"].startswith('attachment; filename="deposits-')
    assert rows[0][:4] == ("order_number", "created_at", "status", "client_email")
    assert [row[0] for row in rows[1:]] == [queue["bob"].order_number]
    assert rows[1][2:4] == ("submitted", "bob@example.com")
