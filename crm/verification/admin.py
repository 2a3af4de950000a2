from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.verification.models import EmailCode


@admin.register(EmailCode)
class EmailCodeAdmin(admin.ModelAdmin):
    """Read-only: who was sent a code for what, and what became of it. The code itself is never stored."""

    list_display = ["email", "scene", "user", "created_at", "expires_at", "consumed_at", "superseded_at", "state"]
    list_filter = ["scene", "created_at"]
    search_fields = ["email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["email", "scene", "user", "created_at", "expires_at", "consumed_at", "superseded_at", "state"]
    readonly_fields = fields

    @admin.display(description=_("state"))
    def state(self, code: EmailCode) -> str:
        if code.consumed_at:
            return str(_("consumed"))
        if code.superseded_at:
            return str(_("superseded"))
        return str(_("live")) if code.is_live else str(_("expired"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
