"""Paths from operation ids: `client.deposit.create_draft` → `/api/v1/client/deposit/create-draft`."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import URLPattern, path

from crm.api.views import OperationView


def operation_path(operation_id: str) -> str:
    return operation_id.replace(".", "/").replace("_", "-")


def operation_urls(views: Iterable[type[OperationView]]) -> list[URLPattern]:
    """URL patterns (relative to `/api/v1/`) for the given operation views."""
    return [path(operation_path(view.operation_id), view.as_view(), name=view.operation_id) for view in views]
