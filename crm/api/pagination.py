"""Lists: `page` (default 1) and `size` (default 20, at most 100) → `{"list": [...], "total": N}`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

MAX_PAGE_SIZE = 100


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1)
    size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=20)


# The spec marks page and size required, with defaults; we document that and apply the defaults.
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, required=True, default=1, description="Page number, from 1."),
    OpenApiParameter("size", int, required=True, default=20, description=f"Rows per page, 1–{MAX_PAGE_SIZE}."),
]


def paginate(queryset, *, page: int, size: int, serializer_class, context: dict | None = None) -> dict:
    """One page of `queryset` rendered with `serializer_class`, and the total row count."""
    total = queryset.count()
    rows = queryset[(page - 1) * size : page * size]
    return {"list": serializer_class(rows, many=True, context=context or {}).data, "total": total}
