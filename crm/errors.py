"""Domain errors. Services raise them; the API renders them as `{"code", "message", "fields"}`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class ApplicationError(Exception):
    """A refusal the caller can act on. `code` is stable; `message` is for people."""

    status = 400

    def __init__(
        self,
        *,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        if status is not None:
            self.status = status


class NotFound(ApplicationError):
    status = 404


class Conflict(ApplicationError):
    """The object is in the wrong state for this request."""

    status = 409


class Forbidden(ApplicationError):
    status = 403


class Unauthorized(ApplicationError):
    status = 401


class Throttled(ApplicationError):
    status = 429

    def __init__(self, *, code: str, message: str, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(code=code, message=message, **kwargs)
        self.retry_after = retry_after


class DatabaseBusy(ApplicationError):
    """A write waited its turn for the database and gave up: nothing was written; try again."""

    status = 503
    retry_after = 2  # seconds; writers queue, so the wait is usually short

    def __init__(self) -> None:
        super().__init__(
            code="database_busy",
            message=gettext("The service is busy right now. Nothing was changed; please try again in a moment."),
        )
