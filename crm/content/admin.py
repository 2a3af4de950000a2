"""Back office for placements and popups."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.content.models import Placement, Popup, PopupDismissal


class LiveNowFilter(admin.SimpleListFilter):
    title = _("active now")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        live = queryset.live(timezone.now())
        if self.value() == "yes":
            return live
        if self.value() == "no":
            return queryset.exclude(pk__in=live.values("pk"))
        return queryset


class PublishedContentAdmin(admin.ModelAdmin):
    list_filter = ["audience", "is_enabled", LiveNowFilter]
    # Key lookups, so Chinese titles are found on every database (JSON text may store them escaped).
    search_fields = ["title_i18n__zh-CN", "title_i18n__en-US", "content_i18n__zh-CN", "content_i18n__en-US"]
    date_hierarchy = "starts_at"
    list_editable = ["position", "is_enabled"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(boolean=True, description=_("active now"))
    def is_live_now(self, obj) -> bool:
        return obj.is_live()


@admin.register(Placement)
class PlacementAdmin(PublishedContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["__str__", "slot", "audience", "starts_at", "ends_at", "position", "is_enabled", "is_live_now"]
    list_filter = ["slot", *PublishedContentAdmin.list_filter]
    fieldsets = [
        (None, {"fields": ["slot", "audience", "title_i18n", "content_i18n"]}),
        (_("Image and link"), {"fields": ["image", "image_url", "link_url"]}),
        (_("Publishing"), {"fields": ["starts_at", "ends_at", "is_enabled", "position"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(Popup)
class PopupAdmin(PublishedContentAdmin):
    list_display = ["__str__", "audience", "starts_at", "ends_at", "position", "is_enabled", "is_live_now", "dismissed"]
    fieldsets = [
        (None, {"fields": ["audience", "title_i18n", "content_i18n"]}),
        (_("Image and link"), {"fields": ["image", "link_url"]}),
        (_("Publishing"), {"fields": ["starts_at", "ends_at", "is_enabled", "position"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(dismissal_count=Count("dismissals"))

    @admin.display(description=_("dismissed by"), ordering="dismissal_count")
    def dismissed(self, obj) -> int:
        return obj.dismissal_count


@admin.register(PopupDismissal)
class PopupDismissalAdmin(admin.ModelAdmin):
    """Users' own choices: visible for support, never edited here."""

    list_display = ["user", "popup", "created_at"]
    list_select_related = ["user", "popup"]
    search_fields = ["user__email"]
    list_filter = ["popup"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
