"""Back-office tools of the withdrawal and transfer queues: decisions on one or many rows through the
services (with a form page when the decision needs a reason or a reference), and CSV / Excel
downloads of the queue as filtered, streamed so memory stays flat."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from crm.configuration.selectors import company_time_zone
from crm.errors import ApplicationError

EXPORT_CHUNK = 2000
Columns = list[tuple[str, Callable[[Any], Any]]]


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value, company_time_zone()).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def export_rows(queryset: QuerySet, columns: Columns) -> Iterator[list[Any]]:
    """The header, then one row per object, read in chunks."""
    yield [name for name, _value in columns]
    for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield [value(obj) for _name, value in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _with_bom(stream: Iterator[str]) -> Iterator[str]:
    # A byte-order mark, so spreadsheet programs read the UTF-8 (Chinese names) right.
    yield "\ufeff"
    yield from stream


def csv_response(rows: Iterable[list[Any]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(_with_bom(writer.writerow(row) for row in rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows: Iterable[list[Any]], filename: str, sheet: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_name(prefix: str, extension: str) -> str:
    return f"{prefix}-{timezone.localtime(timezone.now(), company_time_zone()):%Y%m%d-%H%M%S}.{extension}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class PaymentReferenceForm(forms.Form):
    payment_reference = forms.CharField(
        label=_("Payment reference"), max_length=100, help_text=_("The bank's or the blockchain's reference.")
    )


class DecisionsMixin:
    """For a ModelAdmin whose rows move through services: run one service per selected row (in pk order,
    each in its own transaction), report refusals row by row, and ask for a reason or reference first."""

    decide_permission: str
    form_template = "admin/withdrawals/decision_form.html"

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.decide_permission)

    def run_for_each(
        self, request: HttpRequest, ids: Iterable[int], call: Callable[[int], object], done: Callable[[int], str]
    ) -> int:
        count = 0
        for object_id in sorted(ids):
            try:
                call(object_id)
            except ApplicationError as error:
                self.message_user(request, f"#{object_id}: {error.message}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)
        return count

    def form_page(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        form_class: type[forms.Form],
        title: str,
        intro: str,
        button: str,
        action: str | None,
        call: Callable[[int, dict], object],
        done: Callable[[int], str],
    ) -> TemplateResponse | None:
        """The form page; on a valid POST runs `call(id, cleaned_data)` for each row and returns None."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            self.run_for_each(request, queryset.values_list("pk", flat=True), lambda pk: call(pk, data), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "button": button,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.form_template, context)
