"""The outbox of platform operations: enqueue in the caller's transaction, execute once, retry.

How an operation lives:
1. `platform_operation_enqueue` writes it (pending) in the caller's transaction and sends the task
   on commit. The same idempotency key twice is the same operation.
2. `platform_operation_execute` claims it with a conditional UPDATE that also takes a lease
   (`locked_until`), calls the gateway outside any transaction with the operation's idempotency key,
   then settles it in a short transaction:
   - done: result stored, `on_done` called in that same transaction;
   - transient failure (`PlatformTimeout`/`PlatformUnavailable`): pending again, due after an
     exponential backoff, and the error re-raised so the task retries then;
   - `PlatformRejected`: failed with the platform's code; after `MAX_ATTEMPTS` tries, failed too.
3. A worker that dies mid-call leaves its lease to expire; `platform_operations_requeue_stale`
   (every minute) sends a task for it again, and for pending operations whose task never came.
4. Staff put failed operations back in the queue with `platform_operation_retry`.

Secrets (trading passwords) are stored sealed beside the payload, opened only by
`platform_operation_execute` for the platform call, and erased when the operation is done or
given up (`platform_operation_secrets_erase`, or a week after failing without a retry:
`platform_operations_secrets_expire`); until then a failed operation keeps them so a retry can run.

Calling the platform twice is harmless because the platform applies an idempotency key once;
`on_done` is called once because settling locks the row and skips an operation already done.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.database_busy import is_database_busy
from crm.platforms.errors import (
    TRANSIENT_ERRORS,
    PlatformError,
    PlatformErrorCode,
    PlatformOperationConflict,
    PlatformOperationInvalid,
    PlatformTimeout,
    PlatformUnavailable,
)
from crm.platforms.gateway import gateway_for
from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.operations import command_for, normalized_payload, secrets_of, without_secrets
from crm.platforms.sealing import SealBroken, secrets_seal, secrets_unseal
from crm.platforms.selectors import platform_operations_claimable, platform_operations_stale
from crm.users.models import User

logger = logging.getLogger(__name__)

Status = PlatformOperation.Status

MAX_ATTEMPTS = 10
# Longer than the task's hard time limit, so a live worker never loses its lease.
LEASE = timedelta(minutes=3)
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600
# How long a due pending operation may wait for its task before the requeue sends another.
REQUEUE_GRACE = timedelta(minutes=1)
REQUEUE_BATCH = 500
# How long a failed operation keeps its passwords for staff to retry it; then it is given up.
SECRETS_KEPT_AFTER_FAILURE = timedelta(days=7)


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed try: 5, 10, 20, … up to 10 minutes."""
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def _send(operation_id: int) -> None:
    from crm.platforms.tasks import execute_platform_operation

    execute_platform_operation.delay(operation_id)


def _on_done_function(path: str) -> Any:
    try:
        function = import_string(path)
    except ImportError:
        function = None
    if not callable(function):
        raise PlatformOperationInvalid(
            code=PlatformErrorCode.INVALID_PLATFORM_PAYLOAD,
            message=f"on_done {path!r} is not an importable function.",
            fields={"on_done": ["Not an importable function."]},
        )
    return function


def platform_operation_enqueue(
    *,
    server: TradingServer,
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    on_done: str = "",
) -> PlatformOperation:
    """Ask `server` to do something once the caller's transaction commits.

    Call it inside that transaction. The payload is checked now (see `crm.platforms.operations`),
    `Decimal`s are stored as strings. Enqueuing the same key again returns the first operation;
    the same key for a different request is refused (409 `idempotency_key_reused`).
    `on_done` is the dotted path of a function `(operation) -> None`, called in the transaction
    that marks the operation done (read `operation.result` there). Secrets in the payload (keys
    such as `password`) are stored sealed, never in the payload itself.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "platform_operation_enqueue must run inside the transaction of the change that needs it."
        )
    if not 0 < len(idempotency_key) <= 100:
        raise PlatformOperationInvalid(
            code=PlatformErrorCode.INVALID_PLATFORM_PAYLOAD,
            message="The idempotency key must have 1 to 100 characters.",
            fields={"idempotency_key": ["1 to 100 characters."]},
        )
    payload = normalized_payload(payload)
    command = command_for(kind, payload)
    if on_done:
        _on_done_function(on_done)
    if not server.is_enabled:
        raise PlatformOperationConflict(
            code=PlatformErrorCode.TRADING_SERVER_DISABLED,
            message=_("The trading server %(name)s is disabled.") % {"name": server.name},
        )

    secrets = secrets_of(payload)
    payload = without_secrets(payload)
    operation, created = PlatformOperation.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "server": server,
            "kind": kind,
            "payload": payload,
            "sealed_secrets": secrets_seal(secrets) if secrets else "",
            "on_done": on_done,
        },
    )
    if not created:
        same_request = (
            operation.server_id == server.pk
            and operation.kind == kind
            and command_for(kind, operation.payload) == command_for(kind, payload)
        )
        if not same_request:
            raise PlatformOperationConflict(
                code=PlatformErrorCode.IDEMPOTENCY_KEY_REUSED,
                message=_("This idempotency key was already used for another platform operation."),
            )
        return operation
    logger.info("platform operation %s enqueued: %s %s", operation.pk, kind, command.__class__.__name__)
    transaction.on_commit(partial(_send, operation.pk), robust=True)
    return operation


def platform_operation_execute(*, operation_id: int) -> PlatformOperation:
    """Run the operation through its server's gateway if it is due, and settle it (see the module).

    Returns the operation as it is afterwards; raises the `PlatformTimeout`/`PlatformUnavailable`
    after recording it when the operation stays pending (`error.retry_after` says when it is due).
    An operation that is done, failed, running elsewhere or not yet due is returned untouched.
    Never call it inside a transaction: the platform call must not hold one open.
    """
    operation = _claim(operation_id)
    if operation is None:
        return PlatformOperation.objects.get(pk=operation_id)
    if operation.attempts > MAX_ATTEMPTS:
        return _settle_failed(
            operation_id,
            code=PlatformErrorCode.PLATFORM_ATTEMPTS_EXHAUSTED,
            message=f"Given up after {MAX_ATTEMPTS} attempts.",
        )
    try:
        command = command_for(operation.kind, _payload_with_secrets(operation))
        result = command.run(gateway_for(operation.server), operation.idempotency_key)
    except TRANSIENT_ERRORS as error:
        return _settle_transient(operation_id, error)
    except SoftTimeLimitExceeded:
        return _settle_transient(operation_id, PlatformTimeout(message="The task ran out of time."))
    except (PlatformError, PlatformOperationInvalid) as error:
        return _settle_failed(operation_id, code=error.code, message=error.message)
    except Exception as error:
        if is_database_busy(error):
            # The simulator keeps its books in our database: busy, it applied nothing. Try again later.
            return _settle_transient(operation_id, PlatformUnavailable(message="The platform's database was busy."))
        _settle_failed(operation_id, code=PlatformErrorCode.INTERNAL_ERROR, message=repr(error))
        raise
    operation = _settle_done(operation_id, result)
    if operation.status == Status.DONE:
        _refresh_account_state(operation)
    return operation


# Operations after which an account's balance, credit or margins may differ.
CHANGES_ACCOUNT_STATE = {
    PlatformOperation.Kind.BALANCE,
    PlatformOperation.Kind.SET_LEVERAGE,
    PlatformOperation.Kind.CREATE_ACCOUNT,
}


def _refresh_account_state(operation: PlatformOperation) -> None:
    """Refresh the account's snapshot now, so the client sees the money move without waiting for the beat.

    The snapshot belongs to `clients.trading`, which this layer must not import: the function is
    named by `settings.PLATFORM_ACCOUNT_STATE_REFRESH`. Best effort: the beat task catches up.
    """
    login = operation.payload.get("login") or (operation.result or {}).get("login")
    path = settings.PLATFORM_ACCOUNT_STATE_REFRESH
    if operation.kind not in CHANGES_ACCOUNT_STATE or not login or not path:
        return
    try:
        import_string(path)(server_id=operation.server_id, login=login)
    except Exception:
        logger.exception("account state refresh after platform operation %s failed", operation.pk)


def _secrets_erased(message: str) -> PlatformOperationInvalid:
    return PlatformOperationInvalid(code=PlatformErrorCode.PLATFORM_SECRETS_ERASED, message=message)


def _payload_with_secrets(operation: PlatformOperation) -> dict[str, Any]:
    """The payload to run, its secrets unsealed: the only place they are opened."""
    if not operation.needs_secrets:
        return operation.payload
    if not operation.sealed_secrets:
        raise _secrets_erased("The secrets of this operation were erased; it cannot run again.")
    try:
        return {**operation.payload, **secrets_unseal(operation.sealed_secrets)}
    except SealBroken:
        raise _secrets_erased(
            "The secrets of this operation can no longer be opened (SECRET_KEY rotated without a fallback)."
        ) from None


def _claim(operation_id: int) -> PlatformOperation | None:
    now = timezone.now()
    # durable: refuses to run inside a caller's transaction, before anything reaches the platform.
    with transaction.atomic(durable=True):
        claimed = PlatformOperation.objects.filter(platform_operations_claimable(now=now), pk=operation_id).update(
            status=Status.RUNNING, locked_until=now + LEASE, attempts=F("attempts") + 1, updated_at=now
        )
    if not claimed:
        return None
    return PlatformOperation.objects.select_related("server").get(pk=operation_id)


class _OnDoneFailed(Exception):
    pass


def _settle_done(operation_id: int, result: dict[str, Any]) -> PlatformOperation:
    try:
        with transaction.atomic(durable=True):
            operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
            if operation.status == Status.DONE:  # a worker whose lease had expired finished first
                return operation
            operation.status = Status.DONE
            operation.result = result
            operation.done_at = timezone.now()
            operation.locked_until = None
            operation.error_code = ""
            operation.sealed_secrets = ""  # the platform has them
            operation.save(
                update_fields=[
                    "status",
                    "result",
                    "done_at",
                    "locked_until",
                    "error_code",
                    "sealed_secrets",
                    "updated_at",
                ]
            )
            if operation.on_done:
                try:
                    _on_done_function(operation.on_done)(operation)
                except Exception as error:
                    raise _OnDoneFailed(repr(error)) from error
    except _OnDoneFailed as error:
        # The platform did it; what is left is ours. Staff retry once the cause is fixed: the
        # platform then reports the key as already applied and on_done runs again.
        logger.exception("on_done of platform operation %s failed", operation_id)
        return _settle_failed(operation_id, code=PlatformErrorCode.ON_DONE_FAILED, message=str(error))
    logger.info("platform operation %s done", operation_id)
    return operation


def _settle_transient(operation_id: int, error: PlatformError) -> PlatformOperation:
    with transaction.atomic(durable=True):
        operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
        if operation.status in (Status.DONE, Status.FAILED):
            return operation
        operation.error_code, operation.last_error = error.code, f"{error.code}: {error.message}"
        delay = retry_delay(operation.attempts)
        if operation.attempts >= MAX_ATTEMPTS:
            operation.status, operation.locked_until = Status.FAILED, None
        else:
            operation.status, operation.locked_until = Status.PENDING, timezone.now() + timedelta(seconds=delay)
        operation.save(update_fields=["status", "locked_until", "error_code", "last_error", "updated_at"])
    if operation.status == Status.FAILED:
        logger.warning("platform operation %s failed after %s attempts: %s", operation_id, operation.attempts, error)
        return operation
    logger.info("platform operation %s will retry in %ss: %s", operation_id, delay, error)
    error.retry_after = delay
    raise error


def _settle_failed(operation_id: int, *, code: str, message: str) -> PlatformOperation:
    with transaction.atomic(durable=True):
        operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
        if operation.status == Status.DONE:
            return operation
        operation.status, operation.locked_until = Status.FAILED, None
        operation.error_code, operation.last_error = code, f"{code}: {message}"
        operation.save(update_fields=["status", "locked_until", "error_code", "last_error", "updated_at"])
    logger.warning("platform operation %s failed: %s %s", operation_id, code, message)
    return operation


@transaction.atomic
def platform_operation_retry(*, operation_id: int, by: User) -> PlatformOperation:
    """Staff: put a failed operation back in the queue with a fresh set of attempts.

    409 `platform_operation_not_failed`; 409 `platform_secrets_erased` when the passwords it sets
    were erased (the operation was given up): the change must be asked for again.
    """
    operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
    if operation.status != Status.FAILED:
        raise PlatformOperationConflict(
            code=PlatformErrorCode.PLATFORM_OPERATION_NOT_FAILED,
            message=_("Only a failed platform operation can be retried."),
        )
    if operation.needs_secrets and not operation.sealed_secrets:
        raise PlatformOperationConflict(
            code=PlatformErrorCode.PLATFORM_SECRETS_ERASED,
            message=_("The passwords of this operation were erased; it can no longer be retried."),
        )
    operation.status, operation.attempts, operation.locked_until = Status.PENDING, 0, None
    operation.error_code = ""
    operation.retried_by, operation.retried_at = by, timezone.now()
    operation.save(
        update_fields=["status", "attempts", "locked_until", "error_code", "retried_by", "retried_at", "updated_at"]
    )
    audit_record(
        actor=by, action="platform_operation.retried", target=operation, data={"last_error": operation.last_error}
    )
    transaction.on_commit(partial(_send, operation.pk), robust=True)
    return operation


@transaction.atomic
def platform_operation_secrets_erase(*, operation_id: int, by: User | None, reason: str = "") -> PlatformOperation:
    """Give up a failed operation's secrets: it can no longer be retried (409 if it is not failed).

    Erasing what is already erased changes nothing and writes no audit row.
    """
    operation = PlatformOperation.objects.select_for_update().get(pk=operation_id)
    if operation.status != Status.FAILED:
        raise PlatformOperationConflict(
            code=PlatformErrorCode.PLATFORM_OPERATION_NOT_FAILED,
            message=_("Only the secrets of a failed platform operation can be erased."),
        )
    if not operation.sealed_secrets:
        return operation
    operation.sealed_secrets = ""
    operation.save(update_fields=["sealed_secrets", "updated_at"])
    audit_record(actor=by, action="platform_operation.secrets_erased", target=operation, reason=reason)
    return operation


def platform_operations_requeue_stale() -> list[int]:
    """Send a task again for every operation nothing else will run (see `platform_operations_stale`)."""
    ids = list(platform_operations_stale(grace=REQUEUE_GRACE).values_list("id", flat=True)[:REQUEUE_BATCH])
    for operation_id in ids:
        _send(operation_id)
    if ids:
        logger.info("requeued %s stale platform operations", len(ids))
    return ids


def platform_operations_secrets_expire() -> list[int]:
    """Give up operations failed for longer than `SECRETS_KEPT_AFTER_FAILURE`: erase their passwords."""
    cutoff = timezone.now() - SECRETS_KEPT_AFTER_FAILURE
    ids = list(
        PlatformOperation.objects.filter(status=Status.FAILED, updated_at__lt=cutoff)
        .exclude(sealed_secrets="")
        .order_by("id")
        .values_list("id", flat=True)[:REQUEUE_BATCH]
    )
    for operation_id in ids:
        platform_operation_secrets_erase(
            operation_id=operation_id,
            by=None,
            reason=f"Failed and not retried for {SECRETS_KEPT_AFTER_FAILURE.days} days.",
        )
    if ids:
        logger.info("erased the passwords of %s platform operations failed long ago", len(ids))
    return ids
