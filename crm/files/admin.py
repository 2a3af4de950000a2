"""Back office for uploaded files: who uploaded what, and a signed link to look at it."""

from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.files.models import StoredFile
from crm.files.services import private_url


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Files are evidence (KYC, receipts): staff look at them, never replace or edit them here."""

    list_display = ["__str__", "owner", "purpose", "content_type", "size_display", "created_at", "view_link"]
    list_filter = ["purpose", "content_type", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["owner__email", "original_name", "sha256"]
    date_hierarchy = "created_at"
    fields = [
        "owner",
        "purpose",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "file",
        "upload_key",
        "created_at",
        "view_link",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj: StoredFile) -> str:
        return filesizeformat(obj.size)

    @admin.display(description=_("view"))
    def view_link(self, obj: StoredFile) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', private_url(stored_file=obj), _("Open")
        )
