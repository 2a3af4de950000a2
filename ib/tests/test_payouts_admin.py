"""The payout queue in the back office: list, search, approve/hold/release, the lines, exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.backoffice.selectors import work_waiting_for
from crm.users.tests.factories import StaffFactory, UserFactory
from funds.ledger.models import Journal
from ib.models import CommissionLine, RebatePayout
from ib.payouts.services import payout_hold, payouts_aggregate
from ib.tests.payout_helpers import ib_with_rebate_account, line, reversal

D = Decimal
QUEUE = reverse("admin:ib_rebatepayout_changelist")
LINES = reverse("admin:ib_commissionline_changelist")
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory(email="finance@broker.example")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def queue(staff):
    """Three IBs' payouts, the last one held."""
    payouts = {}
    for name, amounts in [("ann", ["10.00", "2.50"]), ("ben", ["7.00"]), ("cat", ["3.00"])]:
        ib = ib_with_rebate_account()
        ib.user.email = f"{name}@ib.example"
        ib.user.save()
        lines = [line(ib, amount) for amount in amounts]
        if name == "ann":
            reversal(lines[1])
        [payout_id] = payouts_aggregate()
        payouts[name] = RebatePayout.objects.get(pk=payout_id)
    payout_hold(payout_id=payouts["cat"].pk, held_by=staff, reason="Check")
    return payouts


def listed(response) -> set[str]:
    return {payout.order_number for payout in response.context["cl"].result_list}


def test_the_queue_lists_filters_and_searches(staff_client, queue):
    everything = staff_client.get(QUEUE)
    pending = staff_client.get(QUEUE, {"status__exact": "pending"})
    by_email = staff_client.get(QUEUE, {"q": "ben@ib.example"})
    by_number = staff_client.get(QUEUE, {"q": queue["ann"].order_number})
    by_login = staff_client.get(QUEUE, {"q": str(queue["cat"].rebate_account.login)})

    assert everything.status_code == 200
    assert listed(everything) == {payout.order_number for payout in queue.values()}
    assert listed(pending) == {queue["ann"].order_number, queue["ben"].order_number}
    assert listed(by_email) == {queue["ben"].order_number}
    assert listed(by_number) == {queue["ann"].order_number}
    assert queue["cat"].order_number in listed(by_login)  # (each test server numbers its logins alike)
    page = everything.content.decode()
    assert "10.00 USD" in page and f"?payout__id__exact={queue['ann'].pk}" in page


def test_the_work_queue_card_counts_the_pending_payouts(staff, queue):
    cards = {card.queue.key: card for card in work_waiting_for(user=staff)}
    assert cards["rebate_payouts_waiting"].count == 2
    assert cards["rebate_payouts_waiting"].queue.filters == {"status__exact": "pending"}
    listed_rows = {payout.pk for payout in RebatePayout.objects.filter(cards["rebate_payouts_waiting"].queue.condition)}
    assert listed_rows == {queue["ann"].pk, queue["ben"].pk}


def test_a_payout_page_shows_its_buttons_lines_and_history(staff_client, queue):
    pending = staff_client.get(reverse("admin:ib_rebatepayout_change", args=[queue["ann"].pk])).content.decode()
    held = staff_client.get(reverse("admin:ib_rebatepayout_change", args=[queue["cat"].pk])).content.decode()

    assert reverse("admin:ib_rebatepayout_approve", args=[queue["ann"].pk]) in pending
    assert reverse("admin:ib_rebatepayout_hold", args=[queue["ann"].pk]) in pending
    assert reverse("admin:ib_rebatepayout_release", args=[queue["ann"].pk]) not in pending
    assert reverse("admin:ib_rebatepayout_release", args=[queue["cat"].pk]) in held
    assert reverse("admin:ib_rebatepayout_approve", args=[queue["cat"].pk]) not in held
    assert f"{LINES}?payout__id__exact={queue['ann'].pk}" in pending
    assert "Check" in held  # the hold's reason, in the events


def test_bulk_approval_approves_the_pending_and_reports_the_held(staff_client, queue, staff):
    chosen = [payout.pk for payout in queue.values()]

    response = staff_client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: chosen}, follow=True)

    statuses = {name: RebatePayout.objects.get(pk=payout.pk).status for name, payout in queue.items()}
    assert statuses == {"ann": "approved", "ben": "approved", "cat": "held"}
    assert Journal.objects.count() == 2
    texts = [str(message) for message in response.context["messages"]]
    assert "2 payouts approved." in texts
    assert any(text.startswith(f"#{queue['cat'].pk}: ") for text in texts)
    assert RebatePayout.objects.get(pk=queue["ann"].pk).decided_by == staff


def test_holding_asks_for_a_reason_and_release_is_a_click(staff_client, queue):
    chosen = [queue["ann"].pk, queue["ben"].pk]
    form = staff_client.post(QUEUE, {"action": "hold_selected", ACTION_CHECKBOX_NAME: chosen})
    done = staff_client.post(
        QUEUE, {"action": "hold_selected", ACTION_CHECKBOX_NAME: chosen, "apply": "1", "reason": "Audit"}
    )
    assert form.status_code == 200 and queue["ann"].order_number in form.content.decode()
    assert done.status_code == 302
    assert set(RebatePayout.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {"held"}

    released = staff_client.post(reverse("admin:ib_rebatepayout_release", args=[queue["cat"].pk]))
    approved = staff_client.post(reverse("admin:ib_rebatepayout_approve", args=[queue["cat"].pk]))
    assert released.status_code == approved.status_code == 302
    assert RebatePayout.objects.get(pk=queue["cat"].pk).status == "approved"


def test_staff_without_the_permission_cannot_decide(client, queue):
    viewer = UserFactory(role="staff")
    viewer.user_permissions.add(Permission.objects.get(codename="view_rebatepayout"))
    client.force_login(viewer)

    listing = client.get(QUEUE)
    client.post(reverse("admin:ib_rebatepayout_approve", args=[queue["ann"].pk]))
    client.post(QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [queue["ann"].pk]})

    assert listing.status_code == 200
    assert "approve_selected" not in listing.content.decode()
    assert RebatePayout.objects.get(pk=queue["ann"].pk).status == "pending"
    assert Journal.objects.count() == 0


def test_payouts_and_lines_cannot_be_added_edited_or_deleted(staff_client, queue):
    payout = queue["ann"]
    assert staff_client.get(reverse("admin:ib_rebatepayout_add")).status_code == 403
    assert staff_client.get(reverse("admin:ib_commissionline_add")).status_code == 403
    staff_client.post(reverse("admin:ib_rebatepayout_delete", args=[payout.pk]), {"post": "yes"})
    staff_client.post(reverse("admin:ib_rebatepayout_change", args=[payout.pk]), {"amount": "1000000"})
    some_line = payout.lines.first()
    staff_client.post(reverse("admin:ib_commissionline_delete", args=[some_line.pk]), {"post": "yes"})
    payout.refresh_from_db()
    assert payout.amount == D("10.00") and RebatePayout.objects.count() == 3
    assert CommissionLine.objects.filter(pk=some_line.pk).exists()


def test_the_commission_lines_filter_by_payout_kind_ib_and_paid(staff_client, queue):
    ann = queue["ann"]
    unpaid = line(ann.ib, "1.00")

    of_payout = staff_client.get(LINES, {"payout__id__exact": ann.pk})
    reversals = staff_client.get(LINES, {"kind__exact": "reversal"})
    of_ib = staff_client.get(LINES, {"ib__id__exact": ann.ib_id})
    not_paid = staff_client.get(LINES, {"in_payout": "no"})
    by_email = staff_client.get(LINES, {"q": "ann@ib.example"})

    def ids(response):
        assert response.status_code == 200
        return sorted(row.pk for row in response.context["cl"].result_list)

    assert ids(of_payout) == sorted(ann.lines.values_list("id", flat=True))
    assert len(ids(of_payout)) == 3
    assert ids(reversals) == list(CommissionLine.objects.filter(kind="reversal").values_list("id", flat=True))
    assert ids(of_ib) == ids(by_email) == sorted([*ann.lines.values_list("id", flat=True), unpaid.pk])
    assert ids(not_paid) == [unpaid.pk]
    assert ann.order_number in of_payout.content.decode()


def test_the_filtered_queue_exports_to_csv(staff_client, queue):
    response = staff_client.get(reverse("admin:ib_rebatepayout_export_csv"), {"status__exact": "pending"})

    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["order_number"] for row in rows] == [queue["ben"].order_number, queue["ann"].order_number]
    assert {key: rows[1][key] for key in ("status", "ib_email", "currency", "amount", "lines")} == {
        "status": "pending",
        "ib_email": "ann@ib.example",
        "currency": "USD",
        "amount": "10.00",
        "lines": "3",
    }
