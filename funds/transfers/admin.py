"""Back office of transfers: the queue, approve / reject on one or many, exports; the settings.

Transfers move only through services. The page shows both legs (the hold, the in leg's journal and
platform operation) and every step.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from crm.configuration.admin import SingletonAdmin
from funds.money import format_amount, format_decimal
from funds.transfers import services
from funds.transfers.models import Transfer, TransferEvent, TransferSettings
from funds.withdrawals.admin import AmountFilter, admin_link, operation_link
from funds.withdrawals.backoffice import (
    Columns,
    DecisionsMixin,
    ReasonForm,
    csv_response,
    export_name,
    export_rows,
    local_time,
    xlsx_response,
)


@admin.register(TransferSettings)
class TransferSettingsAdmin(SingletonAdmin):
    fields = ["auto_approve_below"]


class TransferAmountFilter(AmountFilter):
    field = "amount"


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


EXPORT_COLUMNS: Columns = [
    ("order_number", lambda t: t.order_number),
    ("created_at", lambda t: local_time(t.created_at)),
    ("status", lambda t: t.status),
    ("client_email", lambda t: t.user.email),
    ("client_name", lambda t: t.user.name),
    ("source_login", lambda t: t.source.login),
    ("target_login", lambda t: t.target.login),
    ("currency", lambda t: t.source_currency.code),
    ("amount", lambda t: format_amount(t.amount, t.source_currency)),
    ("rate", lambda t: format_decimal(t.rate)),
    ("target_currency", lambda t: t.target_currency.code),
    ("target_amount", lambda t: format_amount(t.target_amount, t.target_currency)),
    ("amount_usd", lambda t: format_amount(t.amount_usd, "USD") if t.amount_usd is not None else ""),
    ("auto_approved", lambda t: "yes" if t.is_auto_approved else "no"),
    ("decided_by", lambda t: t.decided_by.email if t.decided_by_id else ""),
    ("decided_at", lambda t: local_time(t.decided_at)),
    ("completed_at", lambda t: local_time(t.completed_at)),
    ("reason", lambda t: t.reason),
    ("remark", lambda t: t.remark),
]


@admin.register(Transfer)
class TransferAdmin(DecisionsMixin, admin.ModelAdmin):
    decide_permission = "transfers.change_transfer"
    list_display = [
        "order_number",
        "created_at",
        "user",
        "source_login",
        "target_login",
        "amount_display",
        "target_amount_display",
        "status",
        "is_auto_approved",
        "decided_by",
    ]
    list_filter = [
        "status",
        "is_auto_approved",
        TransferAmountFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["order_number", "user__email", "user__name", "=source__login", "=target__login"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "source", "target", "source_currency", "target_currency", "decided_by"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [TransferEventInline]
    change_list_template = "admin/transfers/transfer/change_list.html"
    change_form_template = "admin/transfers/transfer/change_form.html"
    fields = [
        "order_number",
        "status",
        "user",
        "source",
        "target",
        "source_currency",
        "amount",
        "rate",
        "target_currency",
        "target_amount",
        "amount_usd",
        "remark",
        "is_auto_approved",
        "decided_by",
        "decided_at",
        "reason",
        "hold_link",
        "in_journal_link",
        "in_operation_link",
        "created_at",
        "completed_at",
        "closed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=pgettext_lazy("transfer account", "from"), ordering="source__login")
    def source_login(self, transfer: Transfer) -> int:
        return transfer.source.login

    @admin.display(description=pgettext_lazy("transfer account", "to"), ordering="target__login")
    def target_login(self, transfer: Transfer) -> int:
        return transfer.target.login

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, transfer: Transfer) -> str:
        return f"{format_amount(transfer.amount, transfer.source_currency)} {transfer.source_currency.code}"

    @admin.display(description=_("target amount"), ordering="target_amount")
    def target_amount_display(self, transfer: Transfer) -> str:
        return f"{format_amount(transfer.target_amount, transfer.target_currency)} {transfer.target_currency.code}"

    @admin.display(description=_("hold (out leg)"))
    def hold_link(self, transfer: Transfer) -> str:
        return admin_link(transfer.hold, "withdrawals_hold_change")

    @admin.display(description=_("in leg journal"))
    def in_journal_link(self, transfer: Transfer) -> str:
        return admin_link(transfer.in_journal, "ledger_journal_change")

    @admin.display(description=_("in leg operation"))
    def in_operation_link(self, transfer: Transfer) -> str:
        return operation_link(transfer.in_operation)

    # --- decisions ----------------------------------------------------------------------------------

    def _approve(self, request, ids) -> int:
        return self.run_for_each(
            request,
            ids,
            lambda pk: services.transfer_approve(transfer_id=pk, by=request.user),
            lambda count: (
                ngettext("%(count)d transfer approved.", "%(count)d transfers approved.", count) % {"count": count}
            ),
        )

    def _reject(self, request, queryset, action):
        return self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject transfers"),
            intro=_("These transfers will be rejected and their money given back; the client is told the reason:"),
            button=_("Reject"),
            action=action,
            call=lambda pk, data: services.transfer_reject(transfer_id=pk, by=request.user, reason=data["reason"]),
            done=lambda count: (
                ngettext("%(count)d transfer rejected.", "%(count)d transfers rejected.", count) % {"count": count}
            ),
        )

    @admin.action(description=_("Approve the selected pending transfers"), permissions=["decide"])
    def approve_selected(self, request, queryset: QuerySet[Transfer]) -> None:
        self._approve(request, queryset.values_list("pk", flat=True))

    @admin.action(description=_("Reject the selected pending transfers…"), permissions=["decide"])
    def reject_selected(self, request, queryset: QuerySet[Transfer]):
        return self._reject(request, queryset, "reject_selected")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/approve/", wrap(self.approve_view), name="transfers_transfer_approve"),
            path("<int:object_id>/reject/", wrap(self.reject_view), name="transfers_transfer_reject"),
            path("export/csv/", wrap(self.export_csv_view), name="transfers_transfer_export_csv"),
            path("export/xlsx/", wrap(self.export_xlsx_view), name="transfers_transfer_export_xlsx"),
            *super().get_urls(),
        ]

    def _change_url(self, object_id: int) -> str:
        return reverse("admin:transfers_transfer_change", args=[object_id])

    def approve_view(self, request: HttpRequest, object_id: int):
        if request.method == "POST" and self.has_decide_permission(request):
            self._approve(request, [object_id])
        return HttpResponseRedirect(self._change_url(object_id))

    def reject_view(self, request: HttpRequest, object_id: int):
        if not self.has_decide_permission(request):
            return HttpResponseRedirect(self._change_url(object_id))
        get_object_or_404(Transfer, pk=object_id)
        response = self._reject(request, Transfer.objects.filter(pk=object_id), None)
        return response or HttpResponseRedirect(self._change_url(object_id))

    def _filtered(self, request: HttpRequest) -> QuerySet[Transfer]:
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request).select_related(*self.list_select_related).order_by("-id")

    def export_csv_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return csv_response(export_rows(self._filtered(request), EXPORT_COLUMNS), export_name("transfers", "csv"))

    def export_xlsx_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        rows = export_rows(self._filtered(request), EXPORT_COLUMNS)
        return xlsx_response(rows, export_name("transfers", "xlsx"), "transfers")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
