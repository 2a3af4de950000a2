"""Approving, holding, releasing and paying a payout: one journal, one platform credit, whatever happens."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.inbox.models import Message
from crm.platforms.errors import PlatformTimeout, PlatformUnavailable
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute, platform_operation_retry
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimBalanceOperation
from crm.users.tests.factories import StaffFactory
from funds.ledger.models import Journal
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import bonus_expense_account, client_trading_account
from funds.ledger.tests.factories import platform_balance
from ib.models import RebatePayout
from ib.payouts.errors import PayoutConflict, PayoutError, PayoutNotFound
from ib.payouts.services import payout_approve, payout_hold, payout_release, payouts_aggregate
from ib.tests.payout_helpers import ib_with_rebate_account, line, reversal

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def payout():
    ib = ib_with_rebate_account()
    line(ib, "20.00")
    line(ib, "5.125")
    reversal(line(ib, "3.00"))
    [payout_id] = payouts_aggregate()
    return RebatePayout.objects.select_related("rebate_account").get(pk=payout_id)


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def entries(journal: Journal) -> list[tuple[str, Decimal]]:
    return sorted(journal.entries.values_list("account__code", "amount"))


def state(payout: RebatePayout) -> tuple:
    payout.refresh_from_db()
    return (
        payout.status,
        payout.decided_by_id,
        payout.events.count(),
        Journal.objects.count(),
        PlatformOperation.objects.count(),
        AuditEntry.objects.count(),
        platform_balance(payout.rebate_account),
    )


def test_approval_books_the_payout_and_asks_the_platform_to_credit_the_rebate_account(
    payout, staff, sent_tasks, django_capture_on_commit_callbacks
):
    account = payout.rebate_account

    with django_capture_on_commit_callbacks(execute=True):
        approved = payout_approve(payout_id=payout.pk, approved_by=staff)

    assert (approved.status, approved.decided_by) == ("approved", staff)
    assert entries(approved.journal) == [
        ("bonus_expense:USD", D("25.13")),
        (f"client_trading:{account.pk}", D("-25.13")),
    ]
    assert (approved.journal.kind, approved.journal.idempotency_key, approved.journal.reference) == (
        "rebate",
        f"rebate_payout:{payout.pk}",
        f"ib.rebatepayout:{payout.pk}",
    )
    operation = approved.operation
    assert (operation.kind, operation.status, operation.idempotency_key, operation.on_done) == (
        "balance",
        "pending",
        f"rebate_payout:{payout.pk}",
        "ib.payouts.services.payout_on_paid",
    )
    assert operation.payload == {
        "login": account.login,
        "kind": "deposit",
        "amount": "25.13",
        "comment": f"Rebate {payout.order_number}",
    }
    assert sent_tasks == [operation.pk]
    assert platform_balance(account) == D("0.00")  # not before the outbox runs
    assert list(approved.events.values_list("from_status", "to_status", "actor")) == [
        ("", "pending", None),
        ("pending", "approved", staff.pk),
    ]
    assert AuditEntry.objects.filter(action="rebatepayout.approved", actor=staff).count() == 1


def test_the_outbox_pays_the_payout_once_with_its_time(payout, staff):
    approved = payout_approve(payout_id=payout.pk, approved_by=staff)

    done = platform_operation_execute(operation_id=approved.operation_id)
    again = platform_operation_execute(operation_id=approved.operation_id)

    payout.refresh_from_db()
    assert (done.status, again.status, payout.status) == ("done", "done", "paid")
    assert payout.granted_at is not None and payout.granted_at <= timezone.now()
    assert platform_balance(payout.rebate_account) == D("25.13")
    assert SimBalanceOperation.objects.filter(account__login=payout.rebate_account.login).count() == 1
    assert ledger_balance(account=client_trading_account(trading_account=payout.rebate_account)) == D("25.13")
    assert ledger_balance(account=bonus_expense_account(currency="USD")) == D("25.13")
    assert payout.events.filter(to_status="paid").count() == 1
    message = Message.objects.get()
    assert message.title_i18n == {"zh-CN": "返佣已到账", "en-US": "Rebate paid"}
    assert "25.13 USD" in message.content_i18n["en-US"]
    assert reconcile(server=payout.rebate_account.server) == []


def test_a_platform_failure_leaves_it_approved_and_the_retry_pays_once(payout, staff):
    server = payout.rebate_account.server
    approved = payout_approve(payout_id=payout.pk, approved_by=staff)
    faults.inject(server, "balance_operation", "unavailable")
    faults.inject(server, "balance_operation", "timeout_after")

    with pytest.raises(PlatformUnavailable):
        platform_operation_execute(operation_id=approved.operation_id)
    payout.refresh_from_db()
    assert (payout.status, payout.granted_at) == ("approved", None)
    assert platform_balance(payout.rebate_account) == D("0.00")

    with later(6), pytest.raises(PlatformTimeout):  # applied on the platform, but the answer timed out
        platform_operation_execute(operation_id=approved.operation_id)
    payout.refresh_from_db()
    assert payout.status == "approved"
    with later(30):
        retried = platform_operation_execute(operation_id=approved.operation_id)

    payout.refresh_from_db()
    assert (retried.status, retried.attempts, retried.result["applied_now"]) == ("done", 3, False)
    assert (payout.status, payout.granted_at is not None) == ("paid", True)
    assert platform_balance(payout.rebate_account) == D("25.13")
    assert SimBalanceOperation.objects.filter(account__login=payout.rebate_account.login).count() == 1
    assert Journal.objects.count() == 1
    assert reconcile(server=payout.rebate_account.server) == []


def test_an_operation_failed_for_good_shows_to_staff_and_their_retry_pays_once(payout, staff):
    approved = payout_approve(payout_id=payout.pk, approved_by=staff)
    PlatformOperation.objects.filter(pk=approved.operation_id).update(status="failed", error_code="platform_rejected")

    assert PlatformOperation.objects.filter(status="failed").count() == 1  # the admin's failed operations
    payout.refresh_from_db()
    assert payout.status == "approved"
    platform_operation_retry(operation_id=approved.operation_id, by=staff)
    platform_operation_execute(operation_id=approved.operation_id)

    payout.refresh_from_db()
    assert payout.status == "paid"
    assert platform_balance(payout.rebate_account) == D("25.13")
    assert reconcile(server=payout.rebate_account.server) == []


def test_hold_and_release(payout, staff):
    held = payout_hold(payout_id=payout.pk, held_by=staff, reason="  Checking this IB's clients ")
    assert (held.status, held.decided_by) == ("held", staff)
    assert held.events.last().reason == "Checking this IB's clients"
    assert AuditEntry.objects.filter(action="rebatepayout.held", reason="Checking this IB's clients").count() == 1

    released = payout_release(payout_id=payout.pk, released_by=staff)
    assert released.status == "pending"
    assert list(released.events.values_list("to_status", flat=True)) == ["pending", "held", "pending"]
    assert AuditEntry.objects.filter(action="rebatepayout.released", actor=staff).count() == 1


def test_wrong_state_refusals_are_409_and_change_nothing(payout, staff):
    payout_hold(payout_id=payout.pk, held_by=staff, reason="wait")
    before = state(payout)
    for refused_call, code in [
        (lambda: payout_approve(payout_id=payout.pk, approved_by=staff), "rebate_payout_not_pending"),
        (lambda: payout_hold(payout_id=payout.pk, held_by=staff, reason="again"), "rebate_payout_not_pending"),
    ]:
        with pytest.raises(PayoutConflict) as refused:
            refused_call()
        assert (refused.value.status, refused.value.code) == (409, code)
    assert state(payout) == before

    payout_release(payout_id=payout.pk, released_by=staff)
    payout_approve(payout_id=payout.pk, approved_by=staff)
    before = state(payout)
    for refused_call, code in [
        (lambda: payout_approve(payout_id=payout.pk, approved_by=staff), "rebate_payout_not_pending"),
        (lambda: payout_hold(payout_id=payout.pk, held_by=staff, reason="x"), "rebate_payout_not_pending"),
        (lambda: payout_release(payout_id=payout.pk, released_by=staff), "rebate_payout_not_held"),
    ]:
        with pytest.raises(PayoutConflict) as refused:
            refused_call()
        assert (refused.value.status, refused.value.code) == (409, code)
    assert state(payout) == before


def test_a_hold_needs_a_reason_and_an_unknown_payout_is_404(payout, staff):
    before = state(payout)
    with pytest.raises(PayoutError) as refused:
        payout_hold(payout_id=payout.pk, held_by=staff, reason="  ")
    assert (refused.value.status, refused.value.code, list(refused.value.fields)) == (400, "invalid_input", ["reason"])
    with pytest.raises(PayoutNotFound) as missing:
        payout_approve(payout_id=payout.pk + 1000, approved_by=staff)
    assert (missing.value.status, missing.value.code) == (404, "rebate_payout_not_found")
    assert state(payout) == before


def test_a_rebate_account_disabled_since_the_aggregation_refuses_the_approval(payout, staff):
    account = payout.rebate_account
    account.status = "disabled"
    account.save()
    before = state(payout)

    with pytest.raises(PayoutConflict) as refused:
        payout_approve(payout_id=payout.pk, approved_by=staff)

    assert refused.value.code == "rebate_account_unusable"
    assert state(payout) == before
