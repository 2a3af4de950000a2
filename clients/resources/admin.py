"""Back office for software downloads and trading-tools columns."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from clients.resources.models import SoftwareDownload, TradingToolColumn, TradingToolPopupRead


@admin.register(SoftwareDownload)
class SoftwareDownloadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "os", "version", "audience", "position", "is_enabled"]
    list_editable = ["position", "is_enabled"]
    list_filter = ["platform", "os", "audience", "is_enabled"]
    # Key lookups, so Chinese names are found on every database (JSON text may store them escaped).
    search_fields = ["name_i18n__zh-CN", "name_i18n__en-US", "version", "download_url"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name_i18n", "platform", "os", "version", "download_url", "icon"]}),
        (_("Publishing"), {"fields": ["audience", "position", "is_enabled"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(TradingToolColumn)
class TradingToolColumnAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "is_enabled", "popup_read_by"]
    list_editable = ["position", "is_enabled"]
    list_filter = ["is_enabled"]
    search_fields = ["title_i18n__zh-CN", "title_i18n__en-US"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title_i18n", "iframe_link_i18n"]}),
        (_("Popup"), {"fields": ["popup_title_i18n", "popup_content_i18n"]}),
        (_("Publishing"), {"fields": ["position", "is_enabled"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(popup_read_count=Count("popup_reads"))

    @admin.display(description=_("popup read by"), ordering="popup_read_count")
    def popup_read_by(self, column: TradingToolColumn) -> int:
        return column.popup_read_count


@admin.register(TradingToolPopupRead)
class TradingToolPopupReadAdmin(admin.ModelAdmin):
    """Users' own marks: visible for support, never edited here."""

    list_display = ["user", "column", "read_at"]
    list_select_related = ["user", "column"]
    list_filter = ["column"]
    search_fields = ["user__email"]
    date_hierarchy = "read_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
