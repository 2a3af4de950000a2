"""Trading passwords in the outbox: sealed while waiting, opened only to run, erased once done or given up."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.platforms.errors import PlatformOperationConflict, PlatformTimeout
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import secrets_unseal
from crm.platforms.services import (
    platform_operation_enqueue,
    platform_operation_execute,
    platform_operation_retry,
    platform_operation_secrets_erase,
    platform_operations_secrets_expire,
)
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount
from crm.platforms.tests.factories import open_account
from crm.platforms.tests.helpers import raw_operation_row

Kind, Status = PlatformOperation.Kind, PlatformOperation.Status
MAIN, INVESTOR = "Main-Secret-81", "Watch-Secret-82"


def enqueue_create_account(server, *, key="open-account-1"):
    with transaction.atomic():
        return platform_operation_enqueue(
            server=server,
            kind=Kind.CREATE_ACCOUNT,
            payload={
                "group": "real\\standard",
                "currency": "USD",
                "leverage": 100,
                "name": "Ada",
                "email": "ada@example.com",
                "main_password": MAIN,
                "investor_password": INVESTOR,
                "is_demo": False,
            },
            idempotency_key=key,
        )


def enqueue_set_password(server, login, password, *, key="password-1"):
    with transaction.atomic():
        return platform_operation_enqueue(
            server=server,
            kind=Kind.SET_PASSWORD,
            payload={"login": login, "kind": "main", "password": password},
            idempotency_key=key,
        )


def assert_no_clear_secret(operation_id, *secrets):
    row = raw_operation_row(operation_id)
    for secret in secrets:
        assert secret not in row


def test_a_waiting_operation_holds_its_passwords_only_sealed_and_a_retry_after_a_timeout_opens_them(server):
    operation = enqueue_create_account(server)

    assert operation.payload["main_password"] == operation.payload["investor_password"] == ""
    assert_no_clear_secret(operation.pk, MAIN, INVESTOR)
    assert secrets_unseal(operation.sealed_secrets) == {"main_password": MAIN, "investor_password": INVESTOR}

    faults.inject(server, "create_account", "timeout_before")
    with pytest.raises(PlatformTimeout):
        platform_operation_execute(operation_id=operation.pk)
    waiting = PlatformOperation.objects.get(pk=operation.pk)
    assert waiting.status == Status.PENDING and waiting.sealed_secrets == operation.sealed_secrets
    assert_no_clear_secret(operation.pk, MAIN, INVESTOR)

    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        done = platform_operation_execute(operation_id=operation.pk)

    assert done.status == Status.DONE
    account = SimAccount.objects.get(server=server)
    assert account.check_main_password(MAIN) and account.check_investor_password(INVESTOR)
    assert PlatformOperation.objects.get(pk=operation.pk).sealed_secrets == ""
    assert_no_clear_secret(operation.pk, MAIN, INVESTOR)


def test_a_failed_operation_keeps_its_passwords_sealed_so_staff_can_retry_it(server, staff):
    server.connection_settings = {**server.connection_settings, "groups": ["real\\other"]}
    server.save()
    operation = enqueue_create_account(server)

    failed = platform_operation_execute(operation_id=operation.pk)
    assert (failed.status, failed.error_code) == (Status.FAILED, "invalid_group")
    assert failed.sealed_secrets == operation.sealed_secrets

    server.connection_settings = {key: value for key, value in server.connection_settings.items() if key != "groups"}
    server.save()
    platform_operation_retry(operation_id=operation.pk, by=staff)
    done = platform_operation_execute(operation_id=operation.pk)

    assert done.status == Status.DONE
    assert SimAccount.objects.get(server=server).check_main_password(MAIN)
    assert done.sealed_secrets == ""


def test_erasing_gives_up_a_failed_operation_for_good(server, gateway, staff):
    login = open_account(gateway)
    operation = enqueue_set_password(server, 999999, "Never-Used-7")
    assert platform_operation_execute(operation_id=operation.pk).error_code == "unknown_login"

    erased = platform_operation_secrets_erase(operation_id=operation.pk, by=staff, reason="client asked again")

    assert erased.sealed_secrets == ""
    assert_no_clear_secret(operation.pk, "Never-Used-7")
    entry = AuditEntry.objects.get(action="platform_operation.secrets_erased")
    assert (entry.actor, entry.target_id, entry.reason) == (staff, str(operation.pk), "client asked again")
    with pytest.raises(PlatformOperationConflict) as refused:
        platform_operation_retry(operation_id=operation.pk, by=staff)
    assert refused.value.code == "platform_secrets_erased"
    assert PlatformOperation.objects.get(pk=operation.pk).status == Status.FAILED
    # Erasing again changes nothing.
    platform_operation_secrets_erase(operation_id=operation.pk, by=staff)
    assert AuditEntry.objects.filter(action="platform_operation.secrets_erased").count() == 1
    assert SimAccount.objects.get(login=login).check_main_password("Main-pass-1")


def test_only_a_failed_operations_secrets_can_be_erased(server, staff):
    operation = enqueue_set_password(server, 500000, "Waiting-Pass-3")

    with pytest.raises(PlatformOperationConflict) as refused:
        platform_operation_secrets_erase(operation_id=operation.pk, by=staff)

    assert refused.value.code == "platform_operation_not_failed"
    assert PlatformOperation.objects.get(pk=operation.pk).sealed_secrets == operation.sealed_secrets
    assert not AuditEntry.objects.exists()


def test_an_operation_whose_passwords_are_gone_fails_instead_of_setting_an_empty_one(server, gateway):
    login = open_account(gateway)
    operation = enqueue_set_password(server, login, "Lost-Pass-4")
    PlatformOperation.objects.filter(pk=operation.pk).update(sealed_secrets="")

    failed = platform_operation_execute(operation_id=operation.pk)

    assert (failed.status, failed.error_code) == (Status.FAILED, "platform_secrets_erased")
    assert SimAccount.objects.get(login=login).check_main_password("Main-pass-1")


def test_passwords_sealed_before_a_key_rotation_open_only_with_the_old_key_as_a_fallback(server, gateway, settings):
    login = open_account(gateway)
    operation = enqueue_set_password(server, login, "Rotated-Pass-5")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key"

    failed = platform_operation_execute(operation_id=operation.pk)
    assert (failed.status, failed.error_code) == (Status.FAILED, "platform_secrets_erased")

    settings.SECRET_KEY_FALLBACKS = [old_key]
    PlatformOperation.objects.filter(pk=operation.pk).update(status=Status.PENDING, attempts=0)
    assert platform_operation_execute(operation_id=operation.pk).status == Status.DONE
    assert SimAccount.objects.get(login=login).check_main_password("Rotated-Pass-5")


def test_the_migration_seals_the_passwords_of_waiting_operations_and_drops_those_of_done_ones(server):
    waiting = enqueue_set_password(server, 500000, "unused", key="waiting")
    done = enqueue_set_password(server, 500001, "unused", key="done")
    PlatformOperation.objects.filter(pk=waiting.pk).update(
        payload={"login": 500000, "kind": "main", "password": "Old-Clear-6"}, sealed_secrets=""
    )
    PlatformOperation.objects.filter(pk=done.pk).update(
        payload={"login": 500001, "kind": "main", "password": "Old-Clear-7"},
        sealed_secrets="",
        status=Status.DONE,
        done_at=timezone.now(),
    )
    migration = importlib.import_module("crm.platforms.migrations.0002_operation_sealed_secrets")

    migration.seal_clear_secrets(apps, None)

    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.payload == {"login": 500000, "kind": "main", "password": ""}
    assert secrets_unseal(waiting.sealed_secrets) == {"password": "Old-Clear-6"}
    assert (done.payload["password"], done.sealed_secrets) == ("", "")
    assert_no_clear_secret(waiting.pk, "Old-Clear-6")
    assert_no_clear_secret(done.pk, "Old-Clear-7")


def test_operations_failed_and_not_retried_for_a_week_are_given_up(server, staff):
    old, recent, pending = (
        enqueue_set_password(server, 999999, "Expired-Pass-8", key=key) for key in ("old", "recent", "pending")
    )
    week_ago = timezone.now() - timedelta(days=7, minutes=1)
    PlatformOperation.objects.filter(pk=old.pk).update(status=Status.FAILED, updated_at=week_ago)
    PlatformOperation.objects.filter(pk=recent.pk).update(status=Status.FAILED)
    PlatformOperation.objects.filter(pk=pending.pk).update(updated_at=week_ago)

    assert platform_operations_secrets_expire() == [old.pk]

    assert PlatformOperation.objects.get(pk=old.pk).sealed_secrets == ""
    assert PlatformOperation.objects.get(pk=recent.pk).sealed_secrets == recent.sealed_secrets
    assert PlatformOperation.objects.get(pk=pending.pk).sealed_secrets == pending.sealed_secrets
    entry = AuditEntry.objects.get(action="platform_operation.secrets_erased")
    assert (entry.actor, entry.target_id, entry.reason) == (None, str(old.pk), "Failed and not retried for 7 days.")
    assert platform_operations_secrets_expire() == []
