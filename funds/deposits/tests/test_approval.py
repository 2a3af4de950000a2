"""Approving, rejecting and crediting deposits: one journal, one platform credit, whatever happens."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.inbox.models import Message
from crm.platforms.errors import PlatformTimeout
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute, platform_operations_requeue_stale
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimBalanceOperation
from crm.platforms.tests.helpers import run_in_threads
from funds.deposits import services
from funds.deposits.errors import DepositConflict, DepositError
from funds.deposits.models import Deposit
from funds.deposits.tests.conftest import draft, submitted
from funds.ledger.models import Journal
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import client_trading_account
from funds.ledger.tests.factories import platform_balance

Status = Deposit.Status
OperationStatus = PlatformOperation.Status
D = Decimal
pytestmark = pytest.mark.django_db


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def entries(journal: Journal) -> list[tuple[str, Decimal]]:
    return sorted(journal.entries.values_list("account__code", "amount"))


def money_state(deposit: Deposit) -> tuple:
    deposit.refresh_from_db()
    return (
        deposit.status,
        Journal.objects.count(),
        PlatformOperation.objects.count(),
        platform_balance(deposit.trading_account),
    )


def test_approval_books_the_deposit_and_asks_the_platform_to_credit_it(account, bank, client_user, staff, sent_tasks):
    deposit = submitted(client_user, account, bank)

    approved = services.deposit_approve(deposit_id=deposit.pk, by=staff)

    assert (approved.status, approved.decided_by, approved.decided_at is not None) == ("approved", staff, True)
    assert entries(approved.journal) == [
        (f"broker_bank:{bank.pk}:USD", D("1000.00")),
        (f"client_trading:{account.pk}", D("-994.00")),
        ("fee_income:USD", D("-6.00")),
    ]
    assert (approved.journal.kind, approved.journal.reference, approved.journal.idempotency_key) == (
        "deposit",
        f"deposits.deposit:{deposit.pk}",
        f"deposit:{deposit.pk}",
    )
    operation = approved.operation
    assert (operation.idempotency_key, operation.kind, operation.status, operation.on_done) == (
        f"deposit:{deposit.pk}",
        "balance",
        "pending",
        "funds.deposits.services.deposit_on_credited",
    )
    assert operation.payload == {
        "login": account.login,
        "kind": "deposit",
        "amount": "994.00",
        "comment": f"Deposit {deposit.order_number}",
    }
    assert platform_balance(account) == D("0.00")  # not before the outbox runs
    assert list(approved.events.values_list("to_status", "actor")) == [
        ("draft", client_user.pk),
        ("submitted", client_user.pk),
        ("approved", staff.pk),
    ]
    assert AuditEntry.objects.filter(action="deposit.approved", actor=staff).count() == 1


def test_the_outbox_credits_the_account_and_the_deposit_once(account, bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)

    done = platform_operation_execute(operation_id=deposit.operation_id)
    again = platform_operation_execute(operation_id=deposit.operation_id)

    deposit.refresh_from_db()
    assert (done.status, again.status) == ("done", "done")
    assert (deposit.status, deposit.credited_at is not None) == ("credited", True)
    assert platform_balance(account) == D("994.00")
    assert ledger_balance(account=client_trading_account(trading_account=account)) == D("994.00")
    assert deposit.events.last().data == {"deal_id": done.result["deal_id"], "applied_now": True}
    message = Message.objects.get()
    assert message.title_i18n["en-US"] == "Deposit credited"
    assert str(account.login) in message.content_i18n["en-US"] and "994.00 USD" in message.content_i18n["en-US"]
    assert reconcile() == []


def test_a_deposit_in_another_currency_is_booked_through_the_fx_accounts(account, cny_bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, cny_bank, "720.00").pk, by=staff)

    assert entries(deposit.journal) == [
        (f"broker_bank:{cny_bank.pk}:CNY", D("720.00")),
        (f"client_trading:{account.pk}", D("-100.00")),
        ("fx_conversion:CNY", D("-720.00")),
        ("fx_conversion:USD", D("100.00")),
    ]
    assert deposit.operation.payload["amount"] == "100.00"


def test_only_a_submitted_deposit_can_be_approved_or_rejected(account, bank, client_user, staff):
    deposit = draft(client_user, account, bank)
    before = money_state(deposit)

    for decide in (
        lambda: services.deposit_approve(deposit_id=deposit.pk, by=staff),
        lambda: services.deposit_reject(deposit_id=deposit.pk, by=staff, reason="no"),
    ):
        with pytest.raises(DepositConflict) as refused:
            decide()
        assert (refused.value.status, refused.value.code) == (409, "deposit_not_submitted")
    assert money_state(deposit) == before


def test_approving_twice_credits_once(account, bank, client_user, staff):
    deposit = submitted(client_user, account, bank)
    services.deposit_approve(deposit_id=deposit.pk, by=staff)
    before = money_state(deposit)

    with pytest.raises(DepositConflict):
        services.deposit_approve(deposit_id=deposit.pk, by=staff)

    assert money_state(deposit) == before == ("approved", 1, 1, D("0.00"))


def test_rejecting_tells_the_client_why_and_moves_no_money(account, bank, client_user, staff):
    deposit = submitted(client_user, account, bank)

    rejected = services.deposit_reject(deposit_id=deposit.pk, by=staff, reason="  Receipt unreadable ")

    assert (rejected.status, rejected.reason, rejected.decided_by) == ("rejected", "Receipt unreadable", staff)
    assert (Journal.objects.count(), PlatformOperation.objects.count()) == (0, 0)
    assert rejected.events.last().reason == "Receipt unreadable"
    assert Message.objects.get().content_i18n["en-US"] == (
        f"Your deposit {deposit.order_number} was rejected: Receipt unreadable"
    )
    with pytest.raises(DepositError) as refused:
        services.deposit_reject(deposit_id=submitted(client_user, account, bank).pk, by=staff, reason=" ")
    assert (refused.value.code, list(refused.value.fields)) == ("invalid_input", ["reason"])


def test_a_worker_killed_between_the_approval_and_the_platform_credits_once(account, bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)
    # A worker claimed the operation, reached the platform (which applied it), then died before settling.
    PlatformOperation.objects.filter(pk=deposit.operation_id).update(
        status=OperationStatus.RUNNING, attempts=1, locked_until=timezone.now() + timedelta(minutes=3)
    )
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.DEPOSIT, D("994.00"), idempotency_key=f"deposit:{deposit.pk}"
    )

    assert platform_operations_requeue_stale() == []  # its lease still runs
    with later(181):
        assert platform_operations_requeue_stale() == [deposit.operation_id]
        done = platform_operation_execute(operation_id=deposit.operation_id)

    deposit.refresh_from_db()
    assert (done.status, done.attempts, done.result["applied_now"]) == ("done", 2, False)
    assert deposit.status == "credited"
    assert platform_balance(account) == D("994.00")
    assert SimBalanceOperation.objects.filter(account__login=account.login).count() == 1
    assert Journal.objects.count() == 1


def test_a_worker_killed_before_reaching_the_platform_is_requeued_and_credits_once(account, bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)
    PlatformOperation.objects.filter(pk=deposit.operation_id).update(
        status=OperationStatus.RUNNING, attempts=1, locked_until=timezone.now() - timedelta(seconds=1)
    )

    assert platform_operations_requeue_stale() == [deposit.operation_id]
    done = platform_operation_execute(operation_id=deposit.operation_id)

    deposit.refresh_from_db()
    assert (done.status, done.result["applied_now"], deposit.status) == ("done", True, "credited")
    assert platform_balance(account) == D("994.00")


def test_a_platform_timeout_after_applying_is_retried_and_credits_once(account, bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)
    faults.inject(account.server, "balance_operation", "timeout_after")

    with pytest.raises(PlatformTimeout):
        platform_operation_execute(operation_id=deposit.operation_id)

    deposit.refresh_from_db()
    assert deposit.status == "approved"  # the platform did it, but we cannot know yet
    assert platform_balance(account) == D("994.00")
    assert reconcile() != []  # money on the platform with its operation still pending: a difference for now
    with later(6):
        retried = platform_operation_execute(operation_id=deposit.operation_id)

    deposit.refresh_from_db()
    assert (retried.status, retried.attempts, retried.result["applied_now"]) == ("done", 2, False)
    assert deposit.status == "credited"
    assert platform_balance(account) == D("994.00")
    assert SimBalanceOperation.objects.filter(account__login=account.login).count() == 1
    assert reconcile() == []


def test_with_a_worker_running_tasks_the_approval_credits_when_it_commits(
    account, bank, client_user, staff, celery_eager, django_capture_on_commit_callbacks
):
    deposit = submitted(client_user, account, bank)

    with django_capture_on_commit_callbacks(execute=True):
        services.deposit_approve(deposit_id=deposit.pk, by=staff)

    deposit.refresh_from_db()
    assert deposit.status == "credited"
    assert platform_balance(account) == D("994.00")


@pytest.mark.django_db(transaction=True)
def test_twenty_staff_approving_the_same_deposit_at_once_credit_it_once(account, bank, client_user, staff):
    deposit = submitted(client_user, account, bank)

    def approve(_index: int) -> str:
        return services.deposit_approve(deposit_id=deposit.pk, by=staff).status

    approved, errors = run_in_threads(approve, count=20)

    assert approved == ["approved"]
    assert len(errors) == 19
    assert all(isinstance(error, DepositConflict) and error.code == "deposit_not_submitted" for error in errors)
    assert Journal.objects.count() == 1
    operation = PlatformOperation.objects.get()
    platform_operation_execute(operation_id=operation.pk)
    deposit.refresh_from_db()
    assert deposit.status == "credited"
    assert platform_balance(account) == D("994.00")
    assert SimBalanceOperation.objects.filter(account__login=account.login).count() == 1
    assert deposit.events.filter(to_status="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_workers_running_the_credit_at_once_apply_it_once(account, bank, client_user, staff):
    deposit = services.deposit_approve(deposit_id=submitted(client_user, account, bank).pk, by=staff)

    _statuses, errors = run_in_threads(lambda _: platform_operation_execute(operation_id=deposit.operation_id), 20)

    assert errors == []
    deposit.refresh_from_db()
    assert deposit.status == "credited"
    assert deposit.events.filter(to_status="credited").count() == 1
    assert platform_balance(account) == D("994.00")
    assert SimBalanceOperation.objects.filter(account__login=account.login).count() == 1
