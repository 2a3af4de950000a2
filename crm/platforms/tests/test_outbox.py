from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, transaction
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.platforms import services
from crm.platforms.errors import (
    PlatformOperationConflict,
    PlatformOperationInvalid,
    PlatformTimeout,
    PlatformUnavailable,
)
from crm.platforms.models import PlatformOperation
from crm.platforms.services import (
    platform_operation_enqueue,
    platform_operation_execute,
    platform_operation_retry,
    platform_operations_requeue_stale,
)
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation
from crm.platforms.tests.factories import open_account

Kind, Status = PlatformOperation.Kind, PlatformOperation.Status
RECORD_DONE = "crm.platforms.tests.test_outbox.record_done"
FAIL_ONCE = "crm.platforms.tests.test_outbox.fail_once"

done_calls: list[tuple[int, str, dict]] = []
failures_left: list[int] = []


def record_done(operation: PlatformOperation) -> None:
    done_calls.append((operation.pk, operation.status, operation.result))


def fail_once(operation: PlatformOperation) -> None:
    if failures_left:
        failures_left.pop()
        raise RuntimeError("the caller's reaction broke")
    record_done(operation)


@pytest.fixture(autouse=True)
def _reset_calls():
    done_calls.clear()
    failures_left.clear()


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def enqueue_balance(server, login, *, kind="deposit", amount="100.00", key="deposit-1", on_done=RECORD_DONE):
    with transaction.atomic():
        return platform_operation_enqueue(
            server=server,
            kind=Kind.BALANCE,
            payload={"login": login, "kind": kind, "amount": Decimal(amount), "comment": "test"},
            idempotency_key=key,
            on_done=on_done,
        )


def balance_of(server, login) -> Decimal:
    return SimAccount.objects.get(server=server, login=login).balance


# --- enqueue ----------------------------------------------------------------------------------------


def test_enqueue_stores_a_pending_operation_and_sends_its_task_on_commit(
    server, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        operation = enqueue_balance(server, 500000, amount="100.50")

    operation.refresh_from_db()
    assert operation.status == Status.PENDING
    assert operation.payload == {"login": 500000, "kind": "deposit", "amount": "100.50", "comment": "test"}
    assert operation.attempts == 0
    assert sent_tasks == [operation.pk]


def test_enqueuing_the_same_key_twice_is_one_operation(server, sent_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_balance(server, 500000, amount="100.00")
        second = enqueue_balance(server, 500000, amount="100")  # the same amount, written differently

    assert second.pk == first.pk
    assert PlatformOperation.objects.count() == 1
    assert sent_tasks == [first.pk]


def test_the_same_key_for_another_request_is_refused(server):
    enqueue_balance(server, 500000, amount="100.00")

    with pytest.raises(PlatformOperationConflict) as refused:
        enqueue_balance(server, 500000, amount="200.00")

    assert refused.value.code == "idempotency_key_reused"
    assert refused.value.status == 409
    assert [operation.payload["amount"] for operation in PlatformOperation.objects.all()] == ["100.00"]


@pytest.mark.parametrize(
    ("kind", "payload", "field"),
    [
        (Kind.BALANCE, {"login": 1, "kind": "deposit", "amount": 100.5}, "amount"),  # a float
        (Kind.BALANCE, {"login": 1, "kind": "deposit", "amount": "-5"}, "amount"),
        (Kind.BALANCE, {"login": 1, "kind": "gift", "amount": "5"}, "kind"),
        (Kind.BALANCE, {"kind": "deposit", "amount": "5"}, "login"),
        (Kind.SET_LEVERAGE, {"login": "500000", "leverage": 100}, "login"),
        (Kind.SET_PASSWORD, {"login": 1, "kind": "main"}, "password"),
        ("close_account", {"login": 1}, "kind"),
    ],
)
def test_payloads_are_checked_when_enqueued(server, kind, payload, field):
    with pytest.raises(PlatformOperationInvalid) as refused, transaction.atomic():
        platform_operation_enqueue(server=server, kind=kind, payload=payload, idempotency_key="k")

    assert refused.value.code == "invalid_platform_payload"
    assert field in refused.value.fields
    assert not PlatformOperation.objects.exists()


def test_on_done_must_be_an_importable_function(server):
    with pytest.raises(PlatformOperationInvalid) as refused:
        enqueue_balance(server, 500000, on_done="crm.platforms.tests.test_outbox.no_such_function")

    assert refused.value.fields == {"on_done": ["Not an importable function."]}
    assert not PlatformOperation.objects.exists()


def test_a_disabled_server_takes_no_operations(server):
    server.is_enabled = False
    server.save()

    with pytest.raises(PlatformOperationConflict) as refused:
        enqueue_balance(server, 500000)

    assert refused.value.code == "trading_server_disabled"
    assert not PlatformOperation.objects.exists()


# --- execute ----------------------------------------------------------------------------------------


def test_executing_an_operation_twice_applies_it_once(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login, amount="100.00")

    first = platform_operation_execute(operation_id=operation.pk)
    second = platform_operation_execute(operation_id=operation.pk)

    assert first.status == second.status == Status.DONE
    assert first.attempts == 1
    assert first.done_at is not None and first.locked_until is None
    assert first.result == {
        "deal_id": first.result["deal_id"],
        "balance": "100.00",
        "credit": "0.00",
        "applied_now": True,
    }
    assert balance_of(server, login) == Decimal("100.00")
    assert SimBalanceOperation.objects.filter(idempotency_key="deposit-1").count() == 1
    assert done_calls == [(operation.pk, Status.DONE, first.result)]


def test_timeout_after_the_platform_applied_it_stays_pending_and_the_retry_completes_it_once(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    faults.inject(server, "balance_operation", "timeout_after")

    with pytest.raises(PlatformTimeout) as timed_out:
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert timed_out.value.retry_after == 5
    assert operation.status == Status.PENDING
    assert operation.attempts == 1
    assert operation.error_code == "platform_timeout"
    assert "applied" in operation.last_error
    assert abs(operation.locked_until - (timezone.now() + timedelta(seconds=5))) < timedelta(seconds=2)
    assert balance_of(server, login) == Decimal("100.00")  # the platform did it; the outbox does not know
    assert done_calls == []

    # Not due yet: a second task arriving early changes nothing.
    assert platform_operation_execute(operation_id=operation.pk).status == Status.PENDING
    with later(6):
        retried = platform_operation_execute(operation_id=operation.pk)

    assert retried.status == Status.DONE
    assert retried.attempts == 2
    assert retried.result["applied_now"] is False
    assert retried.result["balance"] == "100.00"
    assert balance_of(server, login) == Decimal("100.00")
    assert SimBalanceOperation.objects.filter(account__login=login, kind="deposit").count() == 1
    assert done_calls == [(operation.pk, Status.DONE, retried.result)]


def test_timeout_before_applies_nothing_and_the_retry_applies_it_once(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    faults.inject(server, "balance_operation", "timeout_before")

    with pytest.raises(PlatformTimeout):
        platform_operation_execute(operation_id=operation.pk)

    assert balance_of(server, login) == Decimal("0.00")
    assert not SimBalanceOperation.objects.exists()
    with later(6):
        retried = platform_operation_execute(operation_id=operation.pk)
    assert retried.status == Status.DONE
    assert retried.result["applied_now"] is True
    assert balance_of(server, login) == Decimal("100.00")
    assert len(done_calls) == 1


def test_an_unavailable_platform_backs_off_exponentially(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    faults.inject(server, "balance_operation", "unavailable", times=2)

    with pytest.raises(PlatformUnavailable) as first:
        platform_operation_execute(operation_id=operation.pk)
    with later(6), pytest.raises(PlatformUnavailable) as second:
        platform_operation_execute(operation_id=operation.pk)
    with later(6 + 11):
        done = platform_operation_execute(operation_id=operation.pk)

    assert (first.value.retry_after, second.value.retry_after) == (5, 10)
    assert done.status == Status.DONE
    assert done.attempts == 3
    assert balance_of(server, login) == Decimal("100.00")


def test_gives_up_after_the_last_attempt(server, gateway, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 2)
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    faults.inject(server, "balance_operation", "unavailable", times=5)

    with pytest.raises(PlatformUnavailable):
        platform_operation_execute(operation_id=operation.pk)
    with later(6):
        failed = platform_operation_execute(operation_id=operation.pk)

    assert failed.status == Status.FAILED
    assert failed.attempts == 2
    assert failed.error_code == "platform_unavailable"
    assert failed.locked_until is None
    assert balance_of(server, login) == Decimal("0.00")
    assert done_calls == []


def test_a_rejected_operation_fails_with_the_platform_code_and_staff_can_retry_it(server, gateway, staff, sent_tasks):
    login = open_account(gateway)
    operation = enqueue_balance(server, login, kind="withdrawal", amount="50.00", key="withdrawal-1")

    failed = platform_operation_execute(operation_id=operation.pk)

    assert failed.status == Status.FAILED
    assert failed.error_code == "insufficient_free_margin"
    assert failed.last_error.startswith("insufficient_free_margin: ")
    assert balance_of(server, login) == Decimal("0.00")
    assert done_calls == []

    gateway.balance_operation(login, "deposit", Decimal("80.00"), idempotency_key="top-up")
    retried = platform_operation_retry(operation_id=operation.pk, by=staff)

    assert retried.status == Status.PENDING
    assert (retried.attempts, retried.error_code) == (0, "")
    assert retried.retried_by == staff
    assert retried.last_error == failed.last_error  # kept until the next attempt tells more
    audit = AuditEntry.objects.get(action="platform_operation.retried")
    assert (audit.actor, audit.target_id, audit.data) == (staff, str(operation.pk), {"last_error": failed.last_error})
    done = platform_operation_execute(operation_id=operation.pk)
    assert done.status == Status.DONE
    assert balance_of(server, login) == Decimal("30.00")
    assert len(done_calls) == 1


def test_only_failed_operations_can_be_retried(server, staff):
    operation = enqueue_balance(server, 500000)

    with pytest.raises(PlatformOperationConflict) as refused:
        platform_operation_retry(operation_id=operation.pk, by=staff)

    assert refused.value.code == "platform_operation_not_failed"
    operation.refresh_from_db()
    assert (operation.status, operation.retried_by) == (Status.PENDING, None)
    assert not AuditEntry.objects.exists()


def test_on_done_sees_the_done_operation_in_its_transaction_once(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login)

    for _ in range(3):
        platform_operation_execute(operation_id=operation.pk)

    assert len(done_calls) == 1
    assert done_calls[0][:2] == (operation.pk, Status.DONE)


def test_a_failing_on_done_fails_the_operation_and_a_retry_runs_it_again(server, gateway, staff):
    login = open_account(gateway)
    operation = enqueue_balance(server, login, on_done=FAIL_ONCE)
    failures_left.append(1)

    failed = platform_operation_execute(operation_id=operation.pk)

    assert failed.status == Status.FAILED
    assert failed.error_code == "on_done_failed"
    assert failed.result == {}  # rolled back with on_done
    assert balance_of(server, login) == Decimal("100.00")
    platform_operation_retry(operation_id=operation.pk, by=staff)
    done = platform_operation_execute(operation_id=operation.pk)
    assert done.status == Status.DONE
    assert done.result["applied_now"] is False
    assert balance_of(server, login) == Decimal("100.00")
    assert len(done_calls) == 1


def test_a_worker_killed_mid_call_is_picked_up_again_once_its_lease_expires(server, gateway):
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    # A worker claimed it (lease of 3 minutes), then died before settling it.
    PlatformOperation.objects.filter(pk=operation.pk).update(
        status=Status.RUNNING, attempts=1, locked_until=timezone.now() + timedelta(minutes=3)
    )

    assert platform_operation_execute(operation_id=operation.pk).status == Status.RUNNING  # still leased
    with later(181):
        done = platform_operation_execute(operation_id=operation.pk)

    assert done.status == Status.DONE
    assert done.attempts == 2
    assert balance_of(server, login) == Decimal("100.00")
    assert len(done_calls) == 1


def test_an_operation_whose_workers_keep_dying_fails(server, gateway, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 2)
    login = open_account(gateway)
    operation = enqueue_balance(server, login)
    PlatformOperation.objects.filter(pk=operation.pk).update(
        status=Status.RUNNING, attempts=2, locked_until=timezone.now() - timedelta(seconds=1)
    )

    failed = platform_operation_execute(operation_id=operation.pk)

    assert failed.status == Status.FAILED
    assert failed.error_code == "platform_attempts_exhausted"
    assert balance_of(server, login) == Decimal("0.00")


def test_requeue_resends_abandoned_and_forgotten_operations_only(server, sent_tasks):
    now = timezone.now()
    operations = {
        name: enqueue_balance(server, 500000, key=name)
        for name in ("fresh", "forgotten", "backing_off", "due_long_ago", "leased", "abandoned", "done", "failed")
    }
    sent_tasks.clear()
    updates = {
        "forgotten": {"updated_at": now - timedelta(minutes=5)},
        "backing_off": {"locked_until": now + timedelta(minutes=5), "updated_at": now - timedelta(minutes=5)},
        "due_long_ago": {"locked_until": now - timedelta(minutes=2)},
        "leased": {"status": Status.RUNNING, "locked_until": now + timedelta(minutes=1)},
        "abandoned": {"status": Status.RUNNING, "locked_until": now - timedelta(seconds=1)},
        "done": {"status": Status.DONE, "done_at": now, "updated_at": now - timedelta(minutes=5)},
        "failed": {"status": Status.FAILED, "updated_at": now - timedelta(minutes=5)},
    }
    for name, fields in updates.items():
        PlatformOperation.objects.filter(pk=operations[name].pk).update(**fields)

    requeued = platform_operations_requeue_stale()

    expected = [operations[name].pk for name in ("forgotten", "due_long_ago", "abandoned")]
    assert requeued == sorted(expected)
    assert sent_tasks == sorted(expected)


def test_create_account_timing_out_after_creating_still_creates_one_account(server):
    with transaction.atomic():
        operation = platform_operation_enqueue(
            server=server,
            kind=Kind.CREATE_ACCOUNT,
            payload={
                "group": "real\\standard",
                "currency": "USD",
                "leverage": 200,
                "name": "Ada",
                "email": "ada@example.com",
                "main_password": "Main-pass-1",
                "investor_password": "Watch-pass-2",
                "is_demo": False,
            },
            idempotency_key="open-account-7",
            on_done=RECORD_DONE,
        )
    faults.inject(server, "create_account", "timeout_after")

    with pytest.raises(PlatformTimeout):
        platform_operation_execute(operation_id=operation.pk)
    with later(6):
        done = platform_operation_execute(operation_id=operation.pk)

    account = SimAccount.objects.get()
    assert done.result == {"login": account.login} == {"login": 500000}
    assert account.leverage == 200
    assert account.check_main_password("Main-pass-1")
    assert done.payload["main_password"] == done.payload["investor_password"] == ""
    assert done.sealed_secrets == ""  # erased once done
    assert done.payload["group"] == "real\\standard"
    assert done_calls == [(operation.pk, Status.DONE, {"login": 500000})]


def test_leverage_and_password_changes_go_through_the_outbox(server, gateway):
    login = open_account(gateway)
    with transaction.atomic():
        leverage = platform_operation_enqueue(
            server=server, kind=Kind.SET_LEVERAGE, payload={"login": login, "leverage": 500}, idempotency_key="lev-1"
        )
        password = platform_operation_enqueue(
            server=server,
            kind=Kind.SET_PASSWORD,
            payload={"login": login, "kind": "investor", "password": "New-watch-3"},
            idempotency_key="pwd-1",
        )

    assert platform_operation_execute(operation_id=leverage.pk).result == {"login": login, "leverage": 500}
    assert platform_operation_execute(operation_id=password.pk).result == {"login": login, "kind": "investor"}
    account = SimAccount.objects.get(login=login)
    assert account.leverage == 500
    assert account.check_investor_password("New-watch-3")
    assert PlatformOperation.objects.get(pk=password.pk).sealed_secrets == ""


def test_an_unknown_login_fails_for_good(server):
    operation = enqueue_balance(server, 555555)

    failed = platform_operation_execute(operation_id=operation.pk)

    assert (failed.status, failed.error_code) == (Status.FAILED, "unknown_login")


def test_an_unexpected_error_fails_the_operation_and_is_raised(server, monkeypatch):
    operation = enqueue_balance(server, 500000)

    def broken(server):
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(services, "gateway_for", broken)
    with pytest.raises(RuntimeError):
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert (operation.status, operation.error_code) == (Status.FAILED, "internal_error")
    assert "adapter bug" in operation.last_error


def test_a_busy_database_under_the_simulator_is_a_transient_error(server, monkeypatch):
    login = open_account(services.gateway_for(server))
    operation = enqueue_balance(server, login)

    def busy(server):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "gateway_for", busy)
    with pytest.raises(PlatformUnavailable):
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert (operation.status, operation.error_code, operation.attempts) == (Status.PENDING, "platform_unavailable", 1)
    assert SimBalanceOperation.objects.count() == 0


def test_running_out_of_task_time_counts_as_a_timeout(server, monkeypatch):
    operation = enqueue_balance(server, 500000)

    def slow(server):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "gateway_for", slow)
    with pytest.raises(PlatformTimeout):
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert (operation.status, operation.error_code) == (Status.PENDING, "platform_timeout")


def test_a_disabled_server_keeps_its_operations_waiting(server):
    operation = enqueue_balance(server, 500000)
    server.is_enabled = False
    server.save()

    with pytest.raises(PlatformUnavailable):
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert (operation.status, operation.error_code) == (Status.PENDING, "trading_server_disabled")
