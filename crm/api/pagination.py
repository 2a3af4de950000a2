"""Lists: `page` (default 1) and `size` (default 20, at most 100) → `{"list": [...], "total": N}`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from crm.api.fields import INT64_MAX

MAX_PAGE_SIZE = 100
# The last page whose rows the database can still be asked for: `page * size` (the slice's end, the
# SQL OFFSET plus LIMIT) stays within a 64-bit integer.
MAX_PAGE = INT64_MAX // MAX_PAGE_SIZE


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=20)


# The spec marks page and size required, with defaults; we document that and apply the defaults.
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        required=True,
        description="Page number, from 1.",
    ),
    OpenApiParameter(
        "size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 20},
        required=True,
        description=f"Rows per page, 1–{MAX_PAGE_SIZE}.",
    ),
]


def page_rows(queryset, *, page: int, size: int) -> tuple[list, int]:
    """One page of `queryset` and the total row count.

    Reads one row more than the page: when there is no next page the total follows from the rows,
    and most callers (a client's own deposits, accounts) have a page or less, so no COUNT then.
    """
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    if len(rows) <= size and (rows or page == 1):
        return rows, start + len(rows)
    return rows[:size], queryset.count()


def paginate(queryset, *, page: int, size: int, serializer_class, context: dict | None = None) -> dict:
    """One page of `queryset` rendered with `serializer_class`, and the total row count."""
    rows, total = page_rows(queryset, page=page, size=size)
    return {"list": serializer_class(rows, many=True, context=context or {}).data, "total": total}
