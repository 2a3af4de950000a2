"""Back office for the simulator: look inside the simulated platform, tune its market, inject faults."""

from __future__ import annotations

from django.contrib import admin

from crm.platforms.simulator.models import (
    SimAccount,
    SimBalanceOperation,
    SimDeal,
    SimFault,
    SimPendingOrder,
    SimPosition,
    SimSymbol,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the platform holds changes through the gateway only, as on a real server."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SimAccount)
class SimAccountAdmin(ReadOnlyAdmin):
    list_display = ["login", "server", "group", "currency", "leverage", "balance", "credit", "is_demo", "created_at"]
    list_filter = ["server", "is_demo", "currency"]
    list_select_related = ["server"]
    search_fields = ["=login", "email", "name"]
    exclude = ["main_password", "investor_password"]


@admin.register(SimBalanceOperation)
class SimBalanceOperationAdmin(ReadOnlyAdmin):
    list_display = ["deal_id", "server", "account", "kind", "amount", "balance_after", "idempotency_key", "created_at"]
    list_filter = ["server", "kind"]
    list_select_related = ["server", "account"]
    search_fields = ["=deal_id", "=account__login", "idempotency_key"]


@admin.register(SimDeal)
class SimDealAdmin(ReadOnlyAdmin):
    list_display = ["deal_id", "account", "symbol", "side", "volume_lots", "close_time", "profit", "commission", "swap"]
    list_filter = ["server", "symbol", "side"]
    list_select_related = ["account"]
    search_fields = ["=deal_id", "=account__login"]
    date_hierarchy = "close_time"


@admin.register(SimPosition)
class SimPositionAdmin(ReadOnlyAdmin):
    list_display = ["position_id", "account", "symbol", "side", "volume_lots", "open_time", "open_price", "close_at"]
    list_filter = ["server", "symbol"]
    list_select_related = ["account"]
    search_fields = ["=position_id", "=account__login"]


@admin.register(SimPendingOrder)
class SimPendingOrderAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "account", "symbol", "order_type", "volume_lots", "price", "placed_at", "expires_at"]
    list_filter = ["server", "symbol", "order_type"]
    list_select_related = ["account"]
    search_fields = ["=order_id", "=account__login"]


@admin.register(SimSymbol)
class SimSymbolAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "digits", "contract_size", "base_price", "daily_volatility_bp", "spread_points"]
    list_filter = ["group"]
    search_fields = ["name"]


@admin.register(SimFault)
class SimFaultAdmin(admin.ModelAdmin):
    list_display = ["id", "server", "operation", "fault", "remaining", "seconds", "created_at"]
    list_filter = ["server", "fault"]
    list_select_related = ["server"]
