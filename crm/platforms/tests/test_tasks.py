from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone

from crm.celery import app as celery_app
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount
from crm.platforms.tasks import execute_platform_operation, requeue_stale_platform_operations
from crm.platforms.tests.factories import open_account

Status = PlatformOperation.Status


def deposit(server, login, key="deposit-1"):
    return platform_operation_enqueue(
        server=server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={"login": login, "kind": "deposit", "amount": "25.00"},
        idempotency_key=key,
    )


def test_an_enqueued_operation_runs_through_its_task_after_commit(
    server, gateway, celery_eager, django_capture_on_commit_callbacks
):
    login = open_account(gateway)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        operation = deposit(server, login)

    operation.refresh_from_db()
    assert operation.status == Status.DONE
    assert SimAccount.objects.get(login=login).balance == Decimal("25.00")


def test_the_task_retries_a_transient_failure_when_the_operation_is_due(server, gateway, celery_eager):
    login = open_account(gateway)
    with transaction.atomic():
        operation = deposit(server, login)
    faults.inject(server, "balance_operation", "unavailable")

    with pytest.raises(Retry) as retry:
        execute_platform_operation.apply(args=[operation.pk])

    assert retry.value.when == 5  # the service's backoff, also stored on the operation
    operation.refresh_from_db()
    assert operation.status == Status.PENDING
    assert operation.attempts == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        assert execute_platform_operation.apply(args=[operation.pk]).get() == Status.DONE
    assert SimAccount.objects.get(login=login).balance == Decimal("25.00")


def test_the_periodic_requeue_completes_an_abandoned_operation_once(server, gateway, celery_eager):
    login = open_account(gateway)
    with transaction.atomic():
        operation = deposit(server, login)
    PlatformOperation.objects.filter(pk=operation.pk).update(
        status=Status.RUNNING, attempts=1, locked_until=timezone.now() - timedelta(seconds=1)
    )

    assert requeue_stale_platform_operations.apply().get() == 1
    assert requeue_stale_platform_operations.apply().get() == 0

    operation.refresh_from_db()
    assert (operation.status, operation.attempts) == (Status.DONE, 2)
    assert SimAccount.objects.get(login=login).balance == Decimal("25.00")


def test_the_requeue_runs_every_minute():
    entry = celery_app.conf.beat_schedule["requeue-stale-platform-operations"]

    assert entry == {"task": "crm.platforms.tasks.requeue_stale_platform_operations", "schedule": 60.0}
    assert execute_platform_operation.acks_late is True
    assert execute_platform_operation.soft_time_limit < execute_platform_operation.time_limit
