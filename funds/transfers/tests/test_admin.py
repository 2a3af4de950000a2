"""The transfer queue in the back office."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from openpyxl import load_workbook

from funds.transfers.models import Transfer
from funds.transfers.services import transfer_request
from funds.withdrawals.tests.helpers import platform_balance, run_outbox

D = Decimal
pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:transfers_transfer_changelist")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def transfers(client_user, source, target):
    made = [
        transfer_request(user=client_user, source_id=source.pk, target_id=target.pk, amount=D(amount))
        for amount in ("1000.00", "2000.00", "10.00")
    ]
    run_outbox()
    return made


def statuses(transfers) -> list[str]:
    return [Transfer.objects.get(pk=t.pk).status for t in transfers]


def test_the_queue_filters_and_searches(staff_client, transfers):
    page = staff_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert transfers[0].order_number in page and transfers[2].order_number not in page
    found = staff_client.get(CHANGELIST, {"q": transfers[1].order_number}).content.decode()
    assert transfers[1].order_number in found and transfers[0].order_number not in found
    assert staff_client.get(CHANGELIST, {"amount": "lt1000"}).status_code == 200


def test_bulk_approval_moves_the_money(staff_client, target, transfers):
    staff_client.post(CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [t.pk for t in transfers]})

    assert statuses(transfers) == ["approved", "approved", "completed"]  # the last one was approved already
    run_outbox()
    assert statuses(transfers) == ["completed"] * 3
    assert platform_balance(target) == D("3010.00")


def test_rejection_asks_for_a_reason(staff_client, source, transfers):
    staff_client.post(CHANGELIST, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [transfers[0].pk]})
    assert statuses(transfers[:1]) == ["pending"]
    staff_client.post(
        reverse("admin:transfers_transfer_reject", args=[transfers[1].pk]), {"apply": "1", "reason": "Call us"}
    )
    staff_client.post(
        CHANGELIST,
        {"action": "reject_selected", ACTION_CHECKBOX_NAME: [transfers[0].pk], "apply": "1", "reason": "No"},
    )

    assert statuses(transfers) == ["rejected", "rejected", "completed"]
    run_outbox()
    assert platform_balance(source) == D("4990.00")


def test_one_transfer_page_and_approval(staff_client, transfers):
    approve_url = reverse("admin:transfers_transfer_approve", args=[transfers[0].pk])
    page = staff_client.get(reverse("admin:transfers_transfer_change", args=[transfers[0].pk]))
    assert page.status_code == 200 and f'action="{approve_url}"' in page.content.decode()

    staff_client.post(approve_url)

    assert statuses(transfers[:1]) == ["approved"]


def test_exports(staff_client, transfers):
    response = staff_client.get(reverse("admin:transfers_transfer_export_csv"), {"status__exact": "pending"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["order_number", "created_at", "status"]
    assert sorted(row[0] for row in rows[1:]) == sorted([transfers[0].order_number, transfers[1].order_number])

    sheet = load_workbook(io.BytesIO(staff_client.get(reverse("admin:transfers_transfer_export_xlsx")).content)).active
    assert len(list(sheet.values)) == 4
