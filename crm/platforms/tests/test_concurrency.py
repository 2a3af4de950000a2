"""The outbox under real concurrency: threads with their own connections."""

from decimal import Decimal

import pytest
from django.db import transaction

from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue, platform_operation_execute
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation
from crm.platforms.tests.factories import open_account
from crm.platforms.tests.helpers import run_in_threads

Status = PlatformOperation.Status
done_calls: list[int] = []


def record_done(operation: PlatformOperation) -> None:
    done_calls.append(operation.pk)


def enqueue_deposit(server, login: int, key: str = "deposit-1") -> PlatformOperation:
    with transaction.atomic():
        return platform_operation_enqueue(
            server=server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": login, "kind": "deposit", "amount": "100.00"},
            idempotency_key=key,
            on_done="crm.platforms.tests.test_concurrency.record_done",
        )


@pytest.mark.django_db(transaction=True)
def test_ten_workers_running_the_same_operation_apply_it_once(server, gateway):
    done_calls.clear()
    login = open_account(gateway)
    operation = enqueue_deposit(server, login)

    statuses, errors = run_in_threads(lambda _: platform_operation_execute(operation_id=operation.pk).status)

    assert errors == []
    assert Status.DONE in statuses and set(statuses) <= {Status.DONE, Status.RUNNING}
    operation.refresh_from_db()
    assert (operation.status, operation.attempts) == (Status.DONE, 1)
    assert SimAccount.objects.get(login=login).balance == Decimal("100.00")
    assert SimBalanceOperation.objects.count() == 1
    assert done_calls == [operation.pk]


@pytest.mark.django_db(transaction=True)
def test_ten_requests_enqueuing_the_same_key_make_one_operation(server):
    ids, errors = run_in_threads(lambda _: enqueue_deposit(server, 500000).pk)

    assert errors == []
    assert len(set(ids)) == 1
    assert PlatformOperation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_belongs_in_the_callers_transaction_and_execute_outside_any(server):
    with pytest.raises(transaction.TransactionManagementError):
        platform_operation_enqueue(
            server=server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": 500000, "kind": "deposit", "amount": "1.00"},
            idempotency_key="outside",
        )
    operation = enqueue_deposit(server, 500000)

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        platform_operation_execute(operation_id=operation.pk)

    operation.refresh_from_db()
    assert (operation.status, operation.attempts) == (Status.PENDING, 0)
    assert PlatformOperation.objects.count() == 1
