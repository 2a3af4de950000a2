"""Back office for trading servers and the outbox of platform operations."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.errors import ApplicationError
from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.services import platform_operation_retry, platform_operation_secrets_erase
from crm.redaction import redacted, unredacted


def _pretty_json(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


class TradingServerForm(forms.ModelForm):
    """Shows connection settings with their secrets masked; a secret left masked keeps its stored value."""

    class Meta:
        model = TradingServer
        fields = [
            "name",
            "platform",
            "is_demo",
            "adapter",
            "connection_settings",
            "login_range_start",
            "login_range_end",
            "currency",
            "time_zone_offset_hours",
            "is_enabled",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["connection_settings"] = redacted(self.instance.connection_settings)

    def clean_connection_settings(self) -> Any:
        value = self.cleaned_data["connection_settings"]
        return unredacted(value, self.instance.connection_settings if self.instance.pk else {})


@admin.register(TradingServer)
class TradingServerAdmin(admin.ModelAdmin):
    form = TradingServerForm
    list_display = [
        "name",
        "platform",
        "is_demo",
        "adapter",
        "login_range_start",
        "login_range_end",
        "currency",
        "time_zone_offset_hours",
        "is_enabled",
    ]
    list_filter = ["platform", "is_demo", "adapter", "is_enabled"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Accounts and operations refer to servers; disable a server instead.
        return False


@admin.register(PlatformOperation)
class PlatformOperationAdmin(admin.ModelAdmin):
    """The outbox is written by services only; staff watch it and put failed operations back in the queue."""

    list_display = [
        "id",
        "idempotency_key",
        "server",
        "kind",
        "status",
        "attempts",
        "error_code",
        "short_error",
        "created_at",
        "done_at",
    ]
    list_filter = ["status", "kind", "server"]
    list_select_related = ["server"]
    search_fields = ["=id", "idempotency_key"]
    date_hierarchy = "created_at"
    actions = ["retry_failed", "erase_secrets"]
    fields = [
        "server",
        "kind",
        "idempotency_key",
        "status",
        "attempts",
        "error_code",
        "last_error",
        "payload_display",
        "secrets_display",
        "result_display",
        "on_done",
        "locked_until",
        "created_at",
        "updated_at",
        "done_at",
        "retried_by",
        "retried_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("platforms.change_platformoperation")

    @admin.display(description=_("last error"))
    def short_error(self, obj: PlatformOperation) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("payload"))
    def payload_display(self, obj: PlatformOperation) -> str:
        return _pretty_json(redacted(obj.payload))

    @admin.display(description=_("passwords"))
    def secrets_display(self, obj: PlatformOperation) -> str:
        if obj.sealed_secrets:
            return str(_("Sealed until the platform has them."))
        return str(_("Erased.")) if obj.needs_secrets else "-"

    @admin.display(description=_("result"))
    def result_display(self, obj: PlatformOperation) -> str:
        return _pretty_json(obj.result)

    @admin.action(description=_("Retry the selected failed operations"), permissions=["retry"])
    def retry_failed(self, request, queryset: QuerySet[PlatformOperation]) -> None:
        retried = 0
        for operation_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                platform_operation_retry(operation_id=operation_id, by=request.user)
            except ApplicationError as error:
                self.message_user(request, f"#{operation_id}: {error.message}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext("%(count)d operation queued again.", "%(count)d operations queued again.", retried)
                % {"count": retried},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Give up the selected failed operations: erase their passwords (no retry possible)"),
        permissions=["retry"],
    )
    def erase_secrets(self, request, queryset: QuerySet[PlatformOperation]) -> None:
        erased = 0
        for operation_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                platform_operation_secrets_erase(operation_id=operation_id, by=request.user)
            except ApplicationError as error:
                self.message_user(request, f"#{operation_id}: {error.message}", messages.WARNING)
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                ngettext("%(count)d operation given up.", "%(count)d operations given up.", erased) % {"count": erased},
                messages.SUCCESS,
            )
