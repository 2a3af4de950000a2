"""Writes of the downloads and trading tools."""

from __future__ import annotations

from django.db import transaction

from clients.resources.models import TradingToolPopupRead
from clients.resources.selectors import trading_tool_column_get
from crm.users.models import User


@transaction.atomic
def trading_tool_popup_mark_read(*, user: User, column_id: int) -> None:
    """`user` has read the popup of the column. Idempotent (the first read time stays); refused
    (`trading_tool_column_not_found`) for an unknown or disabled column."""
    column = trading_tool_column_get(column_id=column_id)
    # The unique (user, column) constraint makes a repeated or concurrent mark a no-op.
    TradingToolPopupRead.objects.bulk_create([TradingToolPopupRead(user=user, column=column)], ignore_conflicts=True)
