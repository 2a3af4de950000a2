"""Celery tasks of the outbox: thin, idempotent, time-limited."""

from __future__ import annotations

from celery import shared_task

from crm.platforms.errors import TRANSIENT_ERRORS
from crm.platforms.services import (
    MAX_ATTEMPTS,
    RETRY_BASE_SECONDS,
    platform_operation_execute,
    platform_operations_requeue_stale,
    platform_operations_secrets_expire,
)


@shared_task(
    bind=True,
    name="crm.platforms.tasks.execute_platform_operation",
    acks_late=True,
    max_retries=MAX_ATTEMPTS,
    time_limit=90,
    soft_time_limit=60,
)
def execute_platform_operation(self, operation_id: int) -> str:
    """Execute one platform operation; on a transient platform error, retry when the service says it is due.

    The backoff (exponential, capped) is the service's, stored on the operation as `locked_until`,
    so this retry and the periodic requeue agree on when the next attempt may run.
    """
    try:
        return platform_operation_execute(operation_id=operation_id).status
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=error.retry_after or RETRY_BASE_SECONDS) from error


@shared_task(name="crm.platforms.tasks.requeue_stale_platform_operations", time_limit=60, soft_time_limit=50)
def requeue_stale_platform_operations() -> int:
    """Every minute (crm/celery.py): resend operations whose worker died or whose task never came."""
    return len(platform_operations_requeue_stale())


@shared_task(name="crm.platforms.tasks.expire_platform_operation_secrets", time_limit=120, soft_time_limit=100)
def expire_platform_operation_secrets() -> int:
    """Hourly (crm/celery.py): erase the passwords of operations failed and not retried for a week."""
    return len(platform_operations_secrets_expire())
