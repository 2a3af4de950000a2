"""What a trading platform (or the outbox in front of it) refuses, with stable codes.

`PlatformTimeout` and `PlatformUnavailable` are transient: the same call may succeed later, and a
timeout may even have been applied (so retry with the same idempotency key). `PlatformRejected` is
permanent: the platform said no, and asking again changes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from crm.errors import ApplicationError, Conflict


class PlatformErrorCode(StrEnum):
    # transient
    PLATFORM_TIMEOUT = "platform_timeout"
    PLATFORM_UNAVAILABLE = "platform_unavailable"
    TRADING_SERVER_DISABLED = "trading_server_disabled"
    # rejected by the platform
    UNKNOWN_LOGIN = "unknown_login"
    LOGIN_RANGE_EXHAUSTED = "login_range_exhausted"
    INSUFFICIENT_FREE_MARGIN = "insufficient_free_margin"
    INSUFFICIENT_CREDIT = "insufficient_credit"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_LEVERAGE = "invalid_leverage"
    INVALID_PASSWORD = "invalid_password"
    INVALID_CURRENCY = "invalid_currency"
    INVALID_GROUP = "invalid_group"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID_REQUEST = "invalid_request"
    # the outbox
    INVALID_PLATFORM_PAYLOAD = "invalid_platform_payload"
    PLATFORM_OPERATION_NOT_FAILED = "platform_operation_not_failed"
    PLATFORM_ATTEMPTS_EXHAUSTED = "platform_attempts_exhausted"
    ON_DONE_FAILED = "on_done_failed"
    PLATFORM_SECRETS_ERASED = "platform_secrets_erased"
    INTERNAL_ERROR = "internal_error"


class PlatformError(ApplicationError):
    """Anything a platform call can raise. `is_transient` says whether retrying may help."""

    status = 502
    is_transient = False
    default_code: str = PlatformErrorCode.INTERNAL_ERROR
    default_message: Any = _("The trading platform failed.")

    def __init__(self, *, code: str | None = None, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(code=code or self.default_code, message=str(message or self.default_message), **kwargs)
        # Seconds until the outbox tries again; set by `platform_operation_execute`.
        self.retry_after: float | None = None


class PlatformTimeout(PlatformError):
    """No answer in time. The call may or may not have been applied."""

    status = 504
    is_transient = True
    default_code = PlatformErrorCode.PLATFORM_TIMEOUT
    default_message = _("The trading platform did not answer in time.")


class PlatformUnavailable(PlatformError):
    """The platform could not be reached (or refused to serve): nothing was applied."""

    status = 503
    is_transient = True
    default_code = PlatformErrorCode.PLATFORM_UNAVAILABLE
    default_message = _("The trading platform is unavailable.")


class PlatformRejected(PlatformError):
    """The platform refused the request for good (unknown login, not enough free margin, …)."""

    status = 400
    default_message = _("The trading platform refused the request.")


TRANSIENT_ERRORS: tuple[type[PlatformError], ...] = (PlatformTimeout, PlatformUnavailable)


class PlatformOperationInvalid(ApplicationError):
    """400 `invalid_platform_payload`: an operation that could never be executed."""


class PlatformOperationConflict(Conflict):
    """409 `idempotency_key_reused` / `platform_operation_not_failed` / `platform_secrets_erased`."""
