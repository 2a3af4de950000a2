"""One envelope for every API error: `{"code", "message", "fields"}` with the right status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from crm.database_busy import is_database_busy
from crm.errors import ApplicationError, DatabaseBusy, Throttled

# DRF's own exceptions, by class, to our stable codes.
DRF_CODES: list[tuple[type[drf.APIException], str]] = [
    (drf.NotAuthenticated, "not_authenticated"),
    (drf.AuthenticationFailed, "authentication_failed"),
    (drf.PermissionDenied, "permission_denied"),
    (drf.NotFound, "not_found"),
    (drf.MethodNotAllowed, "method_not_allowed"),
    (drf.NotAcceptable, "not_acceptable"),
    (drf.UnsupportedMediaType, "unsupported_media_type"),
    (drf.ParseError, "malformed_request"),
    (drf.Throttled, "throttled"),
]


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """`{"kyc_data": {"name": ["…"]}}` → `{"kyc_data.name": ["…"]}`; lists of strings stay lists."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(flatten_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def error_response(
    *, status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None, **extra: Any
) -> Response:
    body = {"code": code, "message": message, "fields": fields or {}, **extra}
    return Response(body, status=status, headers=headers)


def database_busy_response() -> Response:
    """The write's transaction rolled back when it gave up waiting, so the client may simply retry."""
    busy = DatabaseBusy()
    return error_response(
        status=busy.status, code=busy.code, message=busy.message, headers={"Retry-After": str(busy.retry_after)}
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if is_database_busy(exc):
        return database_busy_response()
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, ApplicationError):
        set_rollback()
        headers = {}
        if isinstance(exc, Throttled) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return error_response(
            status=exc.status, code=exc.code, message=exc.message, fields=exc.fields, headers=headers, **exc.extra
        )

    if isinstance(exc, drf.ValidationError):
        set_rollback()
        return error_response(
            status=400,
            code="invalid_input",
            message=_("Some fields are missing or invalid."),
            fields=flatten_field_errors(exc.detail),
        )

    if isinstance(exc, drf.APIException):
        set_rollback()
        code = next((code for cls, code in DRF_CODES if isinstance(exc, cls)), "error")
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return error_response(status=exc.status_code, code=code, message=str(exc.detail), headers=headers)
    return None
