"""Back office of the trade mirror: the mirrored deals and each server's sync, read-only.

The rows are the platforms' data as copied: nobody edits them here. Staff can sync a server now,
or re-read its recent deals, through the same services the tasks call.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.trading.mirror.models import ClosedDeal, DealSyncState
from clients.trading.mirror.services import deals_reread, deals_sync
from crm.platforms.errors import PlatformError


class MirrorReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClosedDeal)
class ClosedDealAdmin(MirrorReadOnlyAdmin):
    list_display = [
        "deal_ticket",
        "server",
        "login",
        "trading_account",
        "symbol",
        "symbol_group",
        "side",
        "volume_lots",
        "close_time",
        "profit",
        "commission",
        "swap",
        "spread_cost",
        "revision",
        "vanished_at",
    ]
    list_filter = ["server", "symbol_group", "side", ("vanished_at", admin.EmptyFieldListFilter)]
    list_select_related = ["server", "trading_account"]
    search_fields = ["=deal_ticket", "=position_ticket", "=login", "symbol"]
    date_hierarchy = "close_time"
    show_full_result_count = False  # the table grows by millions: no COUNT(*) of all of it per page


@admin.register(DealSyncState)
class DealSyncStateAdmin(MirrorReadOnlyAdmin):
    list_display = ["server", "watermark", "last_run_at", "last_run_deals", "last_reread_at"]
    list_select_related = ["server"]
    actions = ["sync_now", "reread_recent"]

    def _each_server(self, request, queryset, call) -> None:
        for state in queryset.select_related("server").order_by("server_id"):
            try:
                message = call(state.server_id)
            except PlatformError as error:
                self.message_user(request, f"{state.server}: {error.message}", messages.WARNING)
            else:
                self.message_user(request, f"{state.server}: {message}", messages.SUCCESS)

    @admin.action(description=_("Sync the selected servers' deals now"))
    def sync_now(self, request, queryset) -> None:
        self._each_server(
            request,
            queryset,
            lambda server_id: _("%(count)d new deals copied.") % {"count": deals_sync(server_id=server_id)},
        )

    @admin.action(description=_("Re-read the selected servers' recent deals"))
    def reread_recent(self, request, queryset) -> None:
        since = timezone.now() - timedelta(days=settings.IB_REREAD_DAYS)

        def reread(server_id: int) -> str:
            result = deals_reread(server_id=server_id, since=since)
            return _("%(changed)d changed, %(vanished)d deleted, %(added)d missed deals copied.") % vars(result)

        self._each_server(request, queryset, reread)
