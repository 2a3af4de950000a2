"""The trading app's refusals and their stable codes."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import ApplicationError


class TradingErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"  # 400, with `fields`
    ACCOUNT_TYPE_UNAVAILABLE = "account_type_unavailable"  # 400, fields.trading_account_type_id
    LEVERAGE_NOT_ALLOWED = "leverage_not_allowed"  # 400, fields.leverage
    INVALID_TRADING_PASSWORD = "invalid_trading_password"  # 400, fields.password / fields.observe_password
    KYC_REQUIRED = "kyc_required"  # 403: live accounts need the KYC the client rules ask for
    DEMO_NOT_ALLOWED = "demo_not_allowed"  # 403: demo accounts are switched off (or not for this user)
    TRADING_ACCOUNT_NOT_FOUND = "trading_account_not_found"  # 404 (also: someone else's)
    ACCOUNT_APPLICATION_PENDING = "account_application_pending"  # 409: one application waits for staff already
    ACCOUNT_APPLICATION_NOT_PENDING = "account_application_not_pending"  # 409: approve/reject a decided one
    ACCOUNT_APPLICATION_NOT_FAILABLE = "account_application_not_failable"  # 409: its platform operation did not fail
    ACCOUNT_APPLICATION_PASSWORDS_LOST = "account_application_passwords_lost"  # 409: SECRET_KEY rotated meanwhile
    TRADING_ACCOUNT_DISABLED = "trading_account_disabled"  # 409
    LEVERAGE_CHANGE_PENDING = "leverage_change_pending"  # 409: one change in flight per account
    LEVERAGE_CHANGE_NOT_PENDING = "leverage_change_not_pending"  # 409
    LEVERAGE_CHANGE_NOT_FAILABLE = "leverage_change_not_failable"  # 409
    PLATFORM_UNAVAILABLE = "platform_unavailable"  # 503: the account's state could not be read


class TradingError(ApplicationError):
    """400 unless the code's comment says otherwise (pass `status`)."""


def invalid_input(fields: dict[str, list[str]], *, code: str = TradingErrorCode.INVALID_INPUT) -> TradingError:
    return TradingError(code=code, message=_("Some fields are missing or invalid."), fields=fields)


def trading_account_not_found() -> TradingError:
    return TradingError(
        code=TradingErrorCode.TRADING_ACCOUNT_NOT_FOUND, message=_("No such trading account."), status=404
    )
