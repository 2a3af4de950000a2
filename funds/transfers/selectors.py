"""Reads of transfers, scoped to who asks; shared by the API, the admin and reports."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from crm.users.models import User
from funds.transfers.models import Transfer


def transfers_with_details() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "user",
        "source__server",
        "target__server",
        "source_currency",
        "target_currency",
        "decided_by",
        "hold",
        "in_operation",
    )


def transfer_history(
    *, user: User, start_time: datetime | None = None, end_time: datetime | None = None
) -> QuerySet[Transfer]:
    """`user`'s transfers requested within [start_time, end_time] (either bound optional), newest first."""
    transfers = transfers_with_details().filter(user=user)
    if start_time is not None:
        transfers = transfers.filter(created_at__gte=start_time)
    if end_time is not None:
        transfers = transfers.filter(created_at__lte=end_time)
    return transfers.order_by("-created_at", "-id")


def transfers_queue() -> QuerySet[Transfer]:
    return transfers_with_details().order_by("-id")
