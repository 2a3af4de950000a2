"""One envelope for every API error: `{"code", "message", "fields"}` with the right status."""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from crm.database_busy import is_database_busy
from crm.errors import ApplicationError, DatabaseBusy

logger = logging.getLogger(__name__)

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


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every exception an API view raises, as the envelope. Add new cases before the last one:
    whatever is left is a bug, answered 500 `server_error`."""
    if is_database_busy(exc):
        # The write's transaction rolled back when it gave up waiting: the client may simply retry.
        exc = DatabaseBusy()
    elif isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, (SuspiciousOperation, BadRequest)):
        # Django's refusals of the request itself (too many fields, a body over its limit): a 400, as
        # Django would answer outside DRF, not a bug of ours.
        exc = drf.ParseError()

    if isinstance(exc, ApplicationError):
        set_rollback()
        headers = {}
        if retry_after := getattr(exc, "retry_after", None):  # throttled, database busy
            headers["Retry-After"] = str(retry_after)
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

    set_rollback()
    request = context.get("request")
    # What Django sends for an exception it did not handle: error reporters listen to it, and the
    # test client re-raises the exception, so a test that hits a bug sees its traceback.
    got_request_exception.send(sender=None, request=request)
    return error_response(status=500, **server_error_body(exc, request=request))


def server_error_body(exc: BaseException, *, request: HttpRequest | None) -> dict[str, Any]:
    """Log the traceback under a new error id and return the envelope that quotes it, so a client's
    report leads to the log line (the message says nothing about the internals)."""
    error_id = uuid.uuid4().hex
    path = request.path if request is not None else "?"
    method = request.method if request is not None else "?"
    logger.error("server_error %s on %s %s", error_id, method, path, exc_info=(type(exc), exc, exc.__traceback__))
    return {
        "code": "server_error",
        "message": _("Something went wrong on our side. Please try again later; quote %(error_id)s if it persists.")
        % {"error_id": error_id},
        "fields": {},
        "error_id": error_id,
    }


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under `/api/` that no operation serves, whatever the method."""
    body = {"code": "not_found", "message": _("There is no such API operation."), "fields": {}}
    return JsonResponse(body, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler (`handler500`), for what fails outside an API view (a middleware, the
    database at the door): the envelope under `/api/`, Django's own page elsewhere."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    exc = sys.exc_info()[1] or RuntimeError("unknown error")
    return JsonResponse(server_error_body(exc, request=request), status=500)
