"""Approving (maker-checker), paying, rejecting, cancelling and failing withdrawals; the hold's money
back on the platform exactly once, whatever order the platform and staff act in."""

from decimal import Decimal

import pytest

from crm.audit.models import AuditEntry
from crm.inbox.models import Message
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute, platform_operation_retry
from funds.errors import FundsError
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import client_hold_account, client_trading_account
from funds.withdrawals import services
from funds.withdrawals.errors import WithdrawalConflict, WithdrawalError, WithdrawalForbidden
from funds.withdrawals.models import Hold, Withdrawal, WithdrawalSettings
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.services import decisions as decision_services
from funds.withdrawals.tests.helpers import (
    drain_on_platform,
    entries_of,
    money_snapshot,
    platform_balance,
    request_withdrawal,
    run_outbox,
)

D = Decimal
Status = Withdrawal.Status
pytestmark = pytest.mark.django_db


def balances(account) -> tuple[Decimal, Decimal, Decimal]:
    """(ledger client_trading, ledger client_hold, platform balance)."""
    return (
        ledger_balance(account=client_trading_account(trading_account=account)),
        ledger_balance(account=client_hold_account(trading_account=account)),
        platform_balance(account),
    )


def assert_books_agree():
    assert reconcile() == []
    assert hold_differences() == []


def applied(user, account, channel, amount="1000.00") -> Withdrawal:
    """A pending withdrawal whose hold the platform has taken."""
    withdrawal = request_withdrawal(user, account, channel, amount)
    run_outbox()
    withdrawal.refresh_from_db()
    return withdrawal


# --- approval and payment -----------------------------------------------------------------------------


def test_one_approval_below_the_threshold_then_payment(client_user, account, bank, staff):
    withdrawal = applied(client_user, account, bank)

    approved = services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)

    assert (approved.status, approved.decided_by, approved.requires_second_approval, approved.amount_usd) == (
        "approved",
        staff,
        False,
        D("1000.00"),
    )
    paid = services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference=" BANK-REF-1 ")

    assert (paid.status, paid.payment_reference, paid.paid_by, paid.paid_at is not None) == (
        "paid",
        "BANK-REF-1",
        staff,
        True,
    )
    assert entries_of(paid.payout_journal) == [
        (f"broker_bank:{bank.pk}:USD", D("-985.00")),
        (f"client_hold:{account.pk}", D("1000.00")),
        ("fee_income:USD", D("-15.00")),
    ]
    assert (paid.payout_journal.kind, paid.payout_journal.idempotency_key) == (
        "withdrawal_payout",
        f"withdrawal:{withdrawal.pk}:payout",
    )
    assert paid.hold.status == Hold.Status.SETTLED
    assert balances(account) == (D("4000.00"), D("0"), D("4000.00"))
    assert list(paid.events.values_list("action", "to_status")) == [
        ("requested", "pending"),
        ("hold_applied", "pending"),
        ("approved", "approved"),
        ("paid", "paid"),
    ]
    assert AuditEntry.objects.filter(action="withdrawal.paid", target_id=str(withdrawal.pk)).count() == 1
    message = Message.objects.get()
    assert message.title_i18n == {"zh-CN": "出金已汇出", "en-US": "Withdrawal paid"}
    assert message.deliveries.get().user == client_user
    assert_books_agree()


def test_a_payout_in_another_currency_goes_through_the_fx_accounts(client_user, account, cny_bank, staff):
    withdrawal = applied(client_user, account, cny_bank, "100.00")
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)

    paid = services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="CNY-1")

    assert entries_of(paid.payout_journal) == [
        (f"broker_bank:{cny_bank.pk}:CNY", D("-720.00")),
        (f"client_hold:{account.pk}", D("100.00")),
        ("fx_conversion:CNY", D("720.00")),
        ("fx_conversion:USD", D("-100.00")),
    ]


@pytest.fixture
def threshold(db):
    settings = WithdrawalSettings.load()
    settings.second_approval_threshold = D("999.99")
    settings.save()
    return settings


def test_above_the_threshold_a_second_different_staff_member_must_approve(
    client_user, account, bank, staff, checker, threshold
):
    withdrawal = applied(client_user, account, bank)
    first = services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    assert (first.status, first.requires_second_approval, first.awaits_second_approval) == ("approved", True, True)

    with pytest.raises(WithdrawalConflict) as refused:
        services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R")
    assert (refused.value.code, refused.value.status) == ("second_approver_required", 409)
    with pytest.raises(WithdrawalForbidden) as same:
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    assert (same.value.code, same.value.status) == ("same_approver", 403)
    withdrawal.refresh_from_db()
    assert (withdrawal.second_approver, withdrawal.payout_journal) == (None, None)

    second = services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=checker)
    assert (second.second_approver, second.awaits_second_approval) == (checker, False)
    with pytest.raises(WithdrawalConflict) as again:
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=checker)
    assert again.value.code == "withdrawal_already_approved"

    paid = services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R")
    assert paid.status == "paid"
    assert [event.action for event in paid.events.all()][-3:] == ["approved", "second_approved", "paid"]


def test_at_the_threshold_one_approval_is_enough(client_user, account, bank, staff, threshold):
    threshold.second_approval_threshold = D("1000.00")
    threshold.save()
    withdrawal = applied(client_user, account, bank)

    approved = services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)

    assert approved.requires_second_approval is False
    assert services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R").status == "paid"


def test_without_a_rate_to_usd_a_second_approval_is_needed(client_user, account, bank, staff, monkeypatch):
    withdrawal = applied(client_user, account, bank, "100.00")
    monkeypatch.setattr(decision_services, "USD", "XTS")  # a currency nothing converts to

    approved = services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)

    assert (approved.requires_second_approval, approved.amount_usd) == (True, None)


def test_paying_before_the_platform_took_the_money_is_refused(client_user, account, bank, staff):
    withdrawal = request_withdrawal(client_user, account, bank)
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    before = money_snapshot(account)

    with pytest.raises(WithdrawalConflict) as refused:
        services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R")

    assert refused.value.code == "hold_not_applied"
    assert money_snapshot(account) == before
    run_outbox()
    assert services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R").status == "paid"


@pytest.mark.parametrize(
    ("status", "call", "code"),
    [
        ("pending", "pay", "withdrawal_not_approved"),
        ("paid", "approve", "withdrawal_not_pending"),
        ("paid", "reject", "withdrawal_not_open"),
        ("paid", "pay", "withdrawal_not_approved"),
        ("rejected", "approve", "withdrawal_not_pending"),
        ("rejected", "fail", "withdrawal_not_open"),
        ("approved", "cancel", "withdrawal_not_pending"),
        ("cancelled", "cancel", "withdrawal_not_pending"),
    ],
)
def test_wrong_states_are_refused_and_change_nothing(client_user, account, bank, staff, status, call, code):
    withdrawal = applied(client_user, account, bank)
    if status in ("approved", "paid"):
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    if status == "paid":
        services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R")
    if status == "rejected":
        services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="No.")
    if status == "cancelled":
        services.withdrawal_cancel(user=client_user, order_number=withdrawal.order_number)
    run_outbox()
    before = money_snapshot(account)
    calls = {
        "approve": lambda: services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff),
        "pay": lambda: services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="R2"),
        "reject": lambda: services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="Again"),
        "fail": lambda: services.withdrawal_fail(withdrawal_id=withdrawal.pk, by=staff, reason="Again"),
        "cancel": lambda: services.withdrawal_cancel(user=client_user, order_number=withdrawal.order_number),
    }

    with pytest.raises(WithdrawalConflict) as refused:
        calls[call]()

    assert (refused.value.code, refused.value.status) == (code, 409)
    assert money_snapshot(account) == before


def test_a_reason_and_a_reference_are_required(client_user, account, bank, staff):
    withdrawal = applied(client_user, account, bank)
    with pytest.raises(WithdrawalError) as no_reason:
        services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="  ")
    assert (no_reason.value.code, list(no_reason.value.fields)) == ("invalid_input", ["reason"])
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
    with pytest.raises(WithdrawalError) as no_reference:
        services.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="")
    assert list(no_reference.value.fields) == ["payment_reference"]


def test_someone_elses_withdrawal_cannot_be_cancelled(client_user, other_user, account, bank):
    withdrawal = request_withdrawal(client_user, account, bank)

    with pytest.raises(FundsError) as refused:
        services.withdrawal_cancel(user=other_user, order_number=withdrawal.order_number)

    assert (refused.value.code, refused.value.status) == ("withdrawal_not_found", 404)


# --- giving the money back ------------------------------------------------------------------------------


def test_a_rejection_after_the_platform_took_the_money_gives_it_back(client_user, account, bank, staff):
    withdrawal = applied(client_user, account, bank)
    assert balances(account) == (D("4000.00"), D("1000.00"), D("4000.00"))

    rejected = services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="Name mismatch")

    hold = rejected.hold
    assert (rejected.status, rejected.reason, hold.status) == ("rejected", "Name mismatch", "released")
    assert entries_of(hold.release_journal) == [
        (f"client_hold:{account.pk}", D("1000.00")),
        (f"client_trading:{account.pk}", D("-1000.00")),
    ]
    assert (hold.release_operation.idempotency_key, hold.release_operation.payload["kind"]) == (
        f"withdrawal:{withdrawal.pk}:release",
        "deposit",
    )
    assert balances(account) == (D("5000.00"), D("0"), D("4000.00"))
    assert_books_agree()  # the deposit in flight accounts for the platform's 4000.00
    run_outbox()
    assert balances(account) == (D("5000.00"), D("0"), D("5000.00"))
    assert_books_agree()


def test_a_rejection_before_the_platform_answered_waits_for_it(client_user, account, bank, staff):
    withdrawal = request_withdrawal(client_user, account, bank)

    rejected = services.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="Duplicate")

    hold = rejected.hold
    assert (hold.status, hold.release_journal, hold.release_operation, hold.is_release_deferred) == (
        "released",
        None,
        None,
        True,
    )
    assert balances(account) == (D("4000.00"), D("1000.00"), D("5000.00"))
    assert_books_agree()
    operations = run_outbox()  # the hold, then the release its callback enqueued
    assert [operation.payload["kind"] for operation in operations] == ["withdrawal", "deposit"]
    hold.refresh_from_db()
    assert (hold.platform_status, hold.release_journal is not None) == ("applied", True)
    assert balances(account) == (D("5000.00"), D("0"), D("5000.00"))
    assert_books_agree()


def test_the_client_cancels_a_pending_withdrawal(client_user, account, bank):
    withdrawal = applied(client_user, account, bank)

    cancelled = services.withdrawal_cancel(user=client_user, order_number=withdrawal.order_number)

    assert (cancelled.status, cancelled.closed_at is not None, cancelled.hold.status) == ("cancelled", True, "released")
    run_outbox()
    assert balances(account) == (D("5000.00"), D("0"), D("5000.00"))
    assert_books_agree()


def test_staff_mark_an_unpayable_withdrawal_failed(client_user, account, bank, staff):
    withdrawal = applied(client_user, account, bank)
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)

    failed = services.withdrawal_fail(withdrawal_id=withdrawal.pk, by=staff, reason="The bank returned it")

    assert (failed.status, failed.reason, failed.decided_by) == ("failed", "The bank returned it", staff)
    run_outbox()
    assert balances(account) == (D("5000.00"), D("0"), D("5000.00"))
    assert_books_agree()


def test_a_hold_the_platform_refuses_fails_the_withdrawal_and_comes_back_in_the_ledger_only(client_user, account, bank):
    withdrawal = request_withdrawal(client_user, account, bank, "3000.00")
    drain_on_platform(account, "2500.00")  # someone took money out on the platform meanwhile
    operations = run_outbox()
    assert [(operation.status, operation.error_code) for operation in operations][-1:] == [
        ("failed", "insufficient_free_margin")
    ]

    assert services.withdrawals_fail_refused_holds() == [withdrawal.pk]

    withdrawal.refresh_from_db()
    hold = withdrawal.hold
    assert (withdrawal.status, hold.status, hold.platform_status, hold.release_operation) == (
        "failed",
        "released",
        "not_applied",
        None,
    )
    assert "insufficient_free_margin" in withdrawal.reason
    assert balances(account) == (D("5000.00"), D("0"), D("2500.00"))
    assert hold_differences() == []
    assert services.withdrawals_fail_refused_holds() == []  # once


def test_a_refused_hold_the_platform_takes_after_all_is_given_back_there(client_user, account, bank, staff):
    withdrawal = request_withdrawal(client_user, account, bank, "3000.00")
    drain_on_platform(account, "2500.00")
    run_outbox()
    services.withdrawals_fail_refused_holds()
    # The money comes back on the platform, and staff retry the refused operation: it goes through now.
    from crm.platforms.gateway import BalanceKind, gateway_for
    from funds.withdrawals.tests.helpers import _keys

    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.DEPOSIT, D("2500.00"), idempotency_key=f"undrain:{next(_keys)}"
    )
    hold = Hold.objects.get(pk=withdrawal.hold_id)
    platform_operation_retry(operation_id=hold.hold_operation_id, by=staff)
    operations = run_outbox()

    assert [(operation.payload["kind"], operation.status) for operation in operations] == [
        ("withdrawal", "done"),
        ("deposit", "done"),
    ]
    hold.refresh_from_db()
    assert (hold.platform_status, hold.release_operation.idempotency_key) == (
        "applied",
        f"withdrawal:{withdrawal.pk}:release",
    )
    assert platform_balance(account) == D("5000.00")
    assert balances(account)[:2] == (D("5000.00"), D("0"))
    assert_books_agree()


# --- a worker dies -----------------------------------------------------------------------------------------


def test_a_worker_killed_mid_call_leaves_the_hold_applied_exactly_once(client_user, account, bank, time_machine):
    from crm.platforms import services as outbox
    from crm.platforms.gateway import BalanceKind, gateway_for
    from crm.platforms.simulator.models import SimBalanceOperation

    withdrawal = request_withdrawal(client_user, account, bank)
    operation = withdrawal.hold.hold_operation
    # A worker claims it, gets the platform to apply it, and dies before settling it.
    claimed = outbox._claim(operation.pk)
    assert claimed.status == "running"
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.WITHDRAWAL, D("1000.00"), idempotency_key=operation.idempotency_key
    )
    assert outbox.platform_operations_requeue_stale() == []  # its lease still runs

    time_machine.move_to(claimed.locked_until + outbox.LEASE)
    assert outbox.platform_operations_requeue_stale() == [operation.pk]
    done = platform_operation_execute(operation_id=operation.pk)

    assert (done.status, done.result["applied_now"], done.attempts) == ("done", False, 2)
    assert SimBalanceOperation.objects.filter(idempotency_key=operation.idempotency_key).count() == 1
    assert platform_balance(account) == D("4000.00")
    assert withdrawal.events.filter(action="hold_applied").count() == 1
    assert platform_operation_execute(operation_id=operation.pk).status == "done"  # again: nothing happens
    assert withdrawal.events.filter(action="hold_applied").count() == 1
    assert_books_agree()


def test_a_worker_killed_before_the_call_leaves_it_for_the_requeue(client_user, account, bank, time_machine):
    from crm.platforms import services as outbox

    withdrawal = request_withdrawal(client_user, account, bank)
    operation = withdrawal.hold.hold_operation
    claimed = outbox._claim(operation.pk)

    time_machine.move_to(claimed.locked_until + outbox.LEASE)
    assert outbox.platform_operations_requeue_stale() == [operation.pk]
    assert platform_operation_execute(operation_id=operation.pk).status == "done"

    assert platform_balance(account) == D("4000.00")
    assert PlatformOperation.objects.get(pk=operation.pk).result["applied_now"] is True
    assert_books_agree()
