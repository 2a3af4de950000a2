"""Reads over the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from crm.platforms.models import PlatformOperation

Status = PlatformOperation.Status


def platform_operations_claimable(*, now: datetime) -> Q:
    """Pending operations that are due, and running ones whose worker's lease ran out."""
    due = Q(status=Status.PENDING) & (Q(locked_until__isnull=True) | Q(locked_until__lte=now))
    abandoned = Q(status=Status.RUNNING, locked_until__lt=now)
    return due | abandoned


def platform_operations_stale(*, now: datetime | None = None, grace: timedelta) -> QuerySet[PlatformOperation]:
    """Operations no task will run unless someone sends one again, oldest first.

    - running with an expired lease: the worker died (or was killed) mid-call;
    - pending, due for more than `grace`: the task was never sent (the process died right after
      commit, the broker lost it) or its retry did not come.
    Fresh and backing-off pending operations are left to the task already on its way.
    """
    now = now or timezone.now()
    expired_lease = Q(status=Status.RUNNING, locked_until__lt=now)
    overdue = Q(status=Status.PENDING) & (
        Q(locked_until__isnull=True, updated_at__lt=now - grace) | Q(locked_until__lt=now - grace)
    )
    return PlatformOperation.objects.filter(expired_lease | overdue).order_by("id")
