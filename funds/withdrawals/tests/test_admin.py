"""The withdrawal queue in the back office: filters, decisions through the services, exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from openpyxl import load_workbook

from crm.users.tests.factories import UserFactory
from funds.withdrawals.models import Withdrawal, WithdrawalSettings
from funds.withdrawals.tests.helpers import platform_balance, request_withdrawal, run_outbox

D = Decimal
pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:withdrawals_withdrawal_changelist")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def withdrawals(client_user, account, bank):
    made = [request_withdrawal(client_user, account, bank, amount) for amount in ("100.00", "1500.00", "20.00")]
    run_outbox()
    return made


def action(staff_client, name: str, withdrawals, **extra):
    return staff_client.post(
        CHANGELIST, {"action": name, ACTION_CHECKBOX_NAME: [w.pk for w in withdrawals], **extra}, follow=True
    )


def statuses(withdrawals) -> list[str]:
    return [Withdrawal.objects.get(pk=w.pk).status for w in withdrawals]


def test_the_queue_filters_and_searches(staff_client, withdrawals):
    everything = staff_client.get(CHANGELIST)
    assert everything.status_code == 200
    for withdrawal in withdrawals:
        assert withdrawal.order_number in everything.content.decode()

    big = staff_client.get(CHANGELIST, {"amount": "1000-10000"}).content.decode()
    assert withdrawals[1].order_number in big and withdrawals[0].order_number not in big
    found = staff_client.get(CHANGELIST, {"q": withdrawals[2].order_number}).content.decode()
    assert withdrawals[2].order_number in found and withdrawals[1].order_number not in found
    assert staff_client.get(CHANGELIST, {"status__exact": "pending"}).status_code == 200


def test_bulk_approval_then_payment_with_a_reference(staff_client, withdrawals):
    action(staff_client, "approve_selected", withdrawals[:2])
    assert statuses(withdrawals) == ["approved", "approved", "pending"]

    form = action(staff_client, "mark_paid_selected", withdrawals[:2])
    assert form.status_code == 200 and "payment_reference" in form.content.decode()
    action(staff_client, "mark_paid_selected", withdrawals[:2], apply="1", payment_reference="BATCH-7")

    assert statuses(withdrawals) == ["paid", "paid", "pending"]
    assert set(Withdrawal.objects.filter(status="paid").values_list("payment_reference", flat=True)) == {"BATCH-7"}


def test_bulk_rejection_asks_for_the_reason_and_gives_the_money_back(staff_client, account, withdrawals):
    page = action(staff_client, "reject_selected", withdrawals)
    assert page.status_code == 200 and statuses(withdrawals) == ["pending"] * 3

    action(staff_client, "reject_selected", withdrawals, apply="1", reason="Unverified bank account")

    assert statuses(withdrawals) == ["rejected"] * 3
    run_outbox()
    assert platform_balance(account) == D("5000.00")


def test_the_second_approval_needs_another_staff_member(client, staff, withdrawals):
    settings = WithdrawalSettings.load()
    settings.second_approval_threshold = D("1000.00")
    settings.save()
    big = withdrawals[1]
    client.force_login(staff)
    client.post(reverse("admin:withdrawals_withdrawal_approve", args=[big.pk]))
    client.post(reverse("admin:withdrawals_withdrawal_approve", args=[big.pk]))  # the same person: refused
    big.refresh_from_db()
    assert (big.status, big.second_approver) == ("approved", None)
    page = client.get(
        reverse("admin:withdrawals_withdrawal_change", args=[big.pk]), HTTP_X_LANGUAGE="en-US"
    ).content.decode()
    assert "Second approval" in page and "Mark paid" not in page

    checker = UserFactory(role="staff", is_superuser=True)
    client.force_login(checker)
    client.post(reverse("admin:withdrawals_withdrawal_approve", args=[big.pk]))
    client.post(
        reverse("admin:withdrawals_withdrawal_pay", args=[big.pk]), {"apply": "1", "payment_reference": "WIRE-1"}
    )
    big.refresh_from_db()
    assert (big.status, big.second_approver, big.payment_reference) == ("paid", checker, "WIRE-1")


def test_one_withdrawal_can_be_rejected_or_failed_from_its_page(staff_client, withdrawals):
    first, second = withdrawals[0], withdrawals[2]
    staff_client.post(reverse("admin:withdrawals_withdrawal_reject", args=[first.pk]), {"apply": "1", "reason": "No"})
    staff_client.post(
        reverse("admin:withdrawals_withdrawal_fail", args=[second.pk]), {"apply": "1", "reason": "Bounced"}
    )

    assert statuses([first, second]) == ["rejected", "failed"]
    page = staff_client.get(reverse("admin:withdrawals_withdrawal_change", args=[first.pk]))
    assert page.status_code == 200 and "rejected" in page.content.decode()


def test_the_filtered_queue_exports_to_csv_and_excel(staff_client, withdrawals):
    response = staff_client.get(reverse("admin:withdrawals_withdrawal_export_csv"), {"amount": "lt1000"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["order_number", "created_at", "status", "client_email"]
    assert sorted(row[0] for row in rows[1:]) == sorted([withdrawals[0].order_number, withdrawals[2].order_number])
    header = rows[0]
    row = next(row for row in rows[1:] if row[0] == withdrawals[0].order_number)
    assert (
        row[header.index("withdrawal_amount")],
        row[header.index("fee")],
        row[header.index("remittance_amount")],
    ) == (
        "100.00",
        "6.00",
        "94.00",
    )

    response = staff_client.get(reverse("admin:withdrawals_withdrawal_export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "order_number" and len(values) == 4


def test_clients_cannot_reach_the_queue(client, client_user, withdrawals):
    client.force_login(client_user)

    assert client.get(CHANGELIST).status_code == 302
    assert client.post(reverse("admin:withdrawals_withdrawal_approve", args=[withdrawals[0].pk])).status_code == 302
    assert statuses(withdrawals[:1]) == ["pending"]


def test_holds_and_usages_have_their_pages(staff_client, withdrawals):
    assert staff_client.get(reverse("admin:withdrawals_hold_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:withdrawals_hold_change", args=[withdrawals[0].hold_id])).status_code == 200
    assert staff_client.get(reverse("admin:withdrawals_fundingusage_add")).status_code == 200
    assert staff_client.get(reverse("admin:withdrawals_withdrawalsettings_changelist")).status_code == 302
