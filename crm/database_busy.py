"""A write that could not get the database in time: 503 `database_busy`, never a 500.

On SQLite, IMMEDIATE transactions queue for the write lock for the busy timeout (settings);
past it SQLite raises `OperationalError("database is locked")`. The transaction has rolled back,
so nothing was written and the caller may simply try again. The API renders it in the error
envelope (`crm.api.errors`), the portal and the admin through `DatabaseBusyMiddleware`, and the
worker retries its task (`crm.celery.DatabaseBusyRetryingTask`).
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from crm.errors import DatabaseBusy

logger = logging.getLogger(__name__)

SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
POSTGRESQL_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout, when a server sets one


def is_database_busy(error: BaseException) -> bool:
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) == POSTGRESQL_LOCK_NOT_AVAILABLE:
        return True
    message = str(error).lower()
    return any(busy in message for busy in SQLITE_BUSY_MESSAGES)


class DatabaseBusyMiddleware:
    """Views outside the API (portal, admin): a friendly 503 page instead of a 500. API views never
    get here: DRF's exception handler renders their errors (`crm.api.errors`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("database busy: %s %s", request.method, request.path)
        busy = DatabaseBusy()
        response = HttpResponse(render_to_string("database_busy.html", {"message": busy.message}), status=busy.status)
        response["Retry-After"] = str(busy.retry_after)
        return response
