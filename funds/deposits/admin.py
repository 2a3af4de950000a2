"""Back office of deposits: the review queue, decisions and exports.

Deposits move only through services: staff approve or reject (with a reason) from the queue (one or
many at once) or from a deposit's page, calling the same services as everything else. Money fields
are read-only; the page shows the receipt, the ledger journal, the platform operation and every
transition. The queue exports, as it is filtered, to CSV or Excel.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from crm.api.languages import DEFAULT_API_LANGUAGE, localized
from crm.configuration.selectors import company_time_zone
from crm.errors import ApplicationError
from crm.files.services import private_url
from funds.deposits import services
from funds.deposits.models import Deposit, DepositEvent
from funds.money import format_amount, format_decimal

EXPORT_CHUNK = 2000
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def _local(value: datetime | None) -> str:
    return timezone.localtime(value, company_time_zone()).strftime("%Y-%m-%d %H:%M:%S") if value else ""


EXPORT_COLUMNS: list[tuple[str, Callable[[Deposit], Any]]] = [
    ("order_number", lambda d: d.order_number),
    ("created_at", lambda d: _local(d.created_at)),
    ("status", lambda d: d.status),
    ("client_email", lambda d: d.user.email),
    ("client_name", lambda d: d.user.name),
    ("login", lambda d: d.trading_account.login),
    ("channel", lambda d: localized(d.channel.name_i18n, DEFAULT_API_LANGUAGE)),
    ("method", lambda d: d.channel.method),
    ("currency", lambda d: d.currency.code),
    ("deposit_amount", lambda d: format_amount(d.deposit_amount, d.currency)),
    ("fee", lambda d: format_amount(d.fee, d.currency)),
    ("account_currency", lambda d: d.account_currency.code),
    ("rate", lambda d: format_decimal(d.rate)),
    ("credited_amount", lambda d: format_amount(d.credited_amount, d.account_currency)),
    ("submitted_at", lambda d: _local(d.submitted_at)),
    ("decided_by", lambda d: d.decided_by.email if d.decided_by_id else ""),
    ("decided_at", lambda d: _local(d.decided_at)),
    ("credited_at", lambda d: _local(d.credited_at)),
    ("payment_reference", lambda d: d.payment_reference),
    ("reason", lambda d: d.reason),
    ("remark", lambda d: d.remark),
]


def export_rows(deposits: QuerySet[Deposit]) -> Iterator[list[Any]]:
    """The header, then one row per deposit, read in chunks (memory stays flat)."""
    yield [name for name, _value in EXPORT_COLUMNS]
    for deposit in deposits.iterator(chunk_size=EXPORT_CHUNK):
        yield [value(deposit) for _name, value in EXPORT_COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(_with_bom(writer.writerow(row) for row in rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_bom(stream: Iterator[str]) -> Iterator[str]:
    # A byte-order mark, so spreadsheet programs read the UTF-8 (Chinese names) right.
    yield "\ufeff"
    yield from stream


def xlsx_response(rows: Iterable[list[Any]], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("deposits")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class DepositEventInline(admin.TabularInline):
    model = DepositEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Deposit)
class DepositAdmin(admin.ModelAdmin):
    list_display = [
        "order_number",
        "created_at",
        "user",
        "login",
        "channel",
        "amount_display",
        "fee_display",
        "credited_display",
        "status",
        "receipt_link",
        "decided_by",
    ]
    list_filter = ["status", "channel", "currency", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["order_number", "user__email", "=trading_account__login", "payment_reference"]
    # No date_hierarchy: its drilldown runs SELECT DISTINCT date_trunc(...) over the whole table on
    # every load; the date filter gives the same periods without the scan. One COUNT, not two.
    show_full_result_count = False
    list_select_related = [
        "user",
        "trading_account",
        "channel",
        "currency",
        "account_currency",
        "decided_by",
        "receipt",
    ]
    actions = ["approve_selected", "reject_selected"]
    inlines = [DepositEventInline]
    change_list_template = "admin/deposits/deposit/change_list.html"
    change_form_template = "admin/deposits/deposit/change_form.html"
    fields = [
        "order_number",
        "status",
        "user",
        "trading_account",
        "channel",
        "currency",
        "deposit_amount",
        "fee",
        "account_currency",
        "rate",
        "credited_amount",
        "receipt_preview",
        "remark",
        "reason",
        "pay_type",
        "pay_url",
        "pay_data_display",
        "payment_reference",
        "decided_by",
        "decided_at",
        "journal_link",
        "operation_link",
        "expires_at",
        "created_at",
        "submitted_at",
        "credited_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("deposits.change_deposit")

    # --- columns ------------------------------------------------------------------------------------

    @admin.display(description=_("login"), ordering="trading_account__login")
    def login(self, deposit: Deposit) -> int:
        return deposit.trading_account.login

    @admin.display(description=_("deposit amount"), ordering="deposit_amount")
    def amount_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.deposit_amount, deposit.currency)} {deposit.currency.code}"

    @admin.display(description=_("fee"))
    def fee_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.fee, deposit.currency)} {deposit.currency.code}"

    @admin.display(description=_("amount credited"), ordering="credited_amount")
    def credited_display(self, deposit: Deposit) -> str:
        return f"{format_amount(deposit.credited_amount, deposit.account_currency)} {deposit.account_currency.code}"

    @admin.display(description=_("receipt"))
    def receipt_link(self, deposit: Deposit) -> str:
        if not deposit.receipt_id:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', private_url(stored_file=deposit.receipt), _("view")
        )

    @admin.display(description=_("receipt"))
    def receipt_preview(self, deposit: Deposit) -> str:
        if not deposit.receipt_id:
            return "-"
        url = private_url(stored_file=deposit.receipt)
        if deposit.receipt.content_type in IMAGE_TYPES:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">'
                '<img src="{}" alt="{}" style="max-width:480px;max-height:480px"></a>',
                url,
                url,
                deposit.receipt.original_name,
            )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, deposit.receipt)

    @admin.display(description=_("payment data"))
    def pay_data_display(self, deposit: Deposit) -> str:
        try:
            text = json.dumps(json.loads(deposit.pay_data), indent=2, ensure_ascii=False)
        except ValueError:
            text = deposit.pay_data
        return format_html("<pre>{}</pre>", text)

    @admin.display(description=_("journal"))
    def journal_link(self, deposit: Deposit) -> str:
        if not deposit.journal_id:
            return "-"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:ledger_journal_change", args=[deposit.journal_id]),
            deposit.journal_id,
        )

    @admin.display(description=_("platform operation"))
    def operation_link(self, deposit: Deposit) -> str:
        if not deposit.operation_id:
            return "-"
        operation = deposit.operation
        return format_html(
            '<a href="{}">#{} ({})</a>',
            reverse("admin:platforms_platformoperation_change", args=[operation.pk]),
            operation.pk,
            operation.get_status_display(),
        )

    # --- decisions ----------------------------------------------------------------------------------

    def _for_each(
        self, request, deposit_ids: Iterable[int], call: Callable[[int], object], done: Callable[[int], str]
    ) -> int:
        count = 0
        for deposit_id in sorted(deposit_ids):
            try:
                call(deposit_id)
            except ApplicationError as error:
                self.message_user(request, f"#{deposit_id}: {error.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)
        return count

    def _approve(self, request, deposit_ids: Iterable[int]) -> int:
        return self._for_each(
            request,
            deposit_ids,
            lambda deposit_id: services.deposit_approve(deposit_id=deposit_id, by=request.user),
            lambda count: (
                ngettext("%(count)d deposit approved.", "%(count)d deposits approved.", count) % {"count": count}
            ),
        )

    def _reject_form(self, request, queryset: QuerySet[Deposit], *, action: str | None):
        """The reason page; on a valid POST rejects each deposit. Returns None when done."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._for_each(
                request,
                queryset.values_list("pk", flat=True),
                lambda deposit_id: services.deposit_reject(deposit_id=deposit_id, by=request.user, reason=reason),
                lambda count: (
                    ngettext("%(count)d deposit rejected.", "%(count)d deposits rejected.", count) % {"count": count}
                ),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject deposits"),
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/deposits/deposit/reject.html", context)

    @admin.action(description=_("Approve the selected submitted deposits"), permissions=["decide"])
    def approve_selected(self, request, queryset: QuerySet[Deposit]) -> None:
        self._approve(request, queryset.values_list("pk", flat=True))

    @admin.action(description=_("Reject the selected submitted deposits…"), permissions=["decide"])
    def reject_selected(self, request, queryset: QuerySet[Deposit]):
        return self._reject_form(request, queryset, action="reject_selected")

    # --- one deposit's buttons, and exports ---------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:deposit_id>/approve/", wrap(self.approve_view), name="deposits_deposit_approve"),
            path("<int:deposit_id>/reject/", wrap(self.reject_view), name="deposits_deposit_reject"),
            path("export/csv/", wrap(self.export_csv_view), name="deposits_deposit_export_csv"),
            path("export/xlsx/", wrap(self.export_xlsx_view), name="deposits_deposit_export_xlsx"),
            *super().get_urls(),
        ]

    def _change_url(self, deposit_id: int) -> str:
        return reverse("admin:deposits_deposit_change", args=[deposit_id])

    def approve_view(self, request: HttpRequest, deposit_id: int):
        if request.method == "POST" and self.has_decide_permission(request):
            self._approve(request, [deposit_id])
        return HttpResponseRedirect(self._change_url(deposit_id))

    def reject_view(self, request: HttpRequest, deposit_id: int):
        if not self.has_decide_permission(request):
            return HttpResponseRedirect(self._change_url(deposit_id))
        get_object_or_404(Deposit, pk=deposit_id)
        response = self._reject_form(request, Deposit.objects.filter(pk=deposit_id), action=None)
        return response or HttpResponseRedirect(self._change_url(deposit_id))

    def _filtered(self, request: HttpRequest) -> QuerySet[Deposit]:
        """The queue as the changelist shows it with the same filters and search."""
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request).select_related(*self.list_select_related).order_by("-id")

    def _export_name(self, extension: str) -> str:
        return f"deposits-{timezone.localtime(timezone.now(), company_time_zone()):%Y%m%d-%H%M%S}.{extension}"

    def export_csv_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return csv_response(export_rows(self._filtered(request)), self._export_name("csv"))

    def export_xlsx_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        return xlsx_response(export_rows(self._filtered(request)), self._export_name("xlsx"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_decide_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
