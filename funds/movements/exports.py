"""CSV and Excel downloads of a movement queue as filtered: rows are read in chunks and streamed (CSV)
or written with openpyxl's write-only mode (Excel), so memory stays flat whatever the row count."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from crm.configuration.selectors import company_time_zone

EXPORT_CHUNK = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A column of an export: its header and how to read it from a row.
Columns = list[tuple[str, Callable[[Any], Any]]]


def local_time(value: datetime | None) -> str:
    return timezone.localtime(value, company_time_zone()).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def export_rows(queryset: QuerySet[Any], columns: Columns) -> Iterator[list[Any]]:
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
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_name(prefix: str, extension: str) -> str:
    return f"{prefix}-{timezone.localtime(timezone.now(), company_time_zone()):%Y%m%d-%H%M%S}.{extension}"
