"""Reads of downloads and trading-tools columns."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clients.resources.errors import TradingToolColumnNotFound
from clients.resources.models import SoftwareDownload, TradingToolColumn, TradingToolPopupRead
from crm.content.models import Audience
from crm.users.models import User


def software_downloads_for(*, audience: str) -> QuerySet[SoftwareDownload]:
    """Enabled downloads for a portal (`client` or `ib`): its own and those for everyone, by position."""
    return SoftwareDownload.objects.filter(is_enabled=True, audience__in=[audience, Audience.ALL]).order_by(
        "position", "id"
    )


def trading_tool_column_get(*, column_id: int) -> TradingToolColumn:
    """An enabled column; 404 `trading_tool_column_not_found` otherwise."""
    column = TradingToolColumn.objects.filter(pk=column_id, is_enabled=True).first()
    if column is None:
        raise TradingToolColumnNotFound(
            code="trading_tool_column_not_found", message=_("No such trading-tools column.")
        )
    return column


def trading_tool_popup_is_read(*, user: User, column: TradingToolColumn) -> bool:
    return TradingToolPopupRead.objects.filter(user=user, column=column).exists()
