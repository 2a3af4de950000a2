"""Back office for the portal menus and their buttons."""

from __future__ import annotations

from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.api.languages import api_language_for, localized
from crm.permissions.models import Menu, MenuButton


class MenuButtonInline(admin.TabularInline):
    model = MenuButton
    extra = 0
    fields = ["code", "name_i18n", "position", "is_enabled"]


@admin.register(Menu)
class MenuAdmin(admin.ModelAdmin):
    list_display = ["code", "display_name", "audience", "parent", "path", "position", "is_enabled"]
    list_display_links = ["code"]
    list_editable = ["position", "is_enabled"]
    list_filter = ["audience", "is_enabled", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["code", "path", "name_i18n", "buttons__code"]
    autocomplete_fields = ["parent"]
    inlines = [MenuButtonInline]
    fields = ["audience", "parent", "code", "name_i18n", "path", "icon", "position", "is_enabled"]

    @admin.display(description=_("name"))
    def display_name(self, menu: Menu) -> str:
        return localized(menu.name_i18n, api_language_for(translation.get_language()))
