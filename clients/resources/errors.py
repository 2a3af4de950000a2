"""The downloads and trading tools' refusals."""

from crm.errors import NotFound


class TradingToolColumnNotFound(NotFound):
    """`trading_tool_column_not_found` (404): no enabled column has that id."""
