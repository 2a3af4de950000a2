"""The withdrawal module's refusals and their stable codes.

Besides the funds core's (`channel_not_found`, `currency_not_found`, `exchange_rate_not_found`,
`payout_account_not_found` 404; `currency_not_supported`, `amount_below_minimum`,
`amount_above_maximum` 400), `invalid_input` (400, with the fields), the e-mail code's
(`email_code_required`, `email_code_invalid`, `email_code_expired` 400, `email_code_too_many_attempts`
429) and the platform's (`platform_unavailable` 503):
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import Conflict, Forbidden
from funds.errors import FundsError, FundsNotFound


class WithdrawalErrorCode(StrEnum):
    TRADING_ACCOUNT_NOT_FOUND = "trading_account_not_found"  # 404: unknown, or someone else's
    TRADING_ACCOUNT_IS_DEMO = "trading_account_is_demo"  # 409: money moves between live accounts only
    TRADING_ACCOUNT_DISABLED = "trading_account_disabled"  # 409
    ACCOUNT_USAGE_NOT_ALLOWED = "account_usage_not_allowed"  # 400: the account type is for deposits only (…)
    AMOUNT_NOT_ABOVE_FEE = "amount_not_above_fee"  # 400, fields.withdrawal_amount: nothing would be paid out
    QUOTE_CHANGED = "quote_changed"  # 409: fee / exchange_rate / remittance_amount differ; fields hold the fresh ones
    INSUFFICIENT_FREE_MARGIN = "insufficient_free_margin"  # 400, extra `available`: above what can be taken out
    WITHDRAWAL_NOT_FOUND = "withdrawal_not_found"  # 404
    WITHDRAWAL_NOT_PENDING = "withdrawal_not_pending"  # 409: approve / cancel a withdrawal no longer pending
    WITHDRAWAL_ALREADY_APPROVED = "withdrawal_already_approved"  # 409: approved (twice, when needed) already
    WITHDRAWAL_NOT_APPROVED = "withdrawal_not_approved"  # 409: mark paid before approval
    WITHDRAWAL_NOT_OPEN = "withdrawal_not_open"  # 409: reject / fail a paid or closed withdrawal
    SECOND_APPROVER_REQUIRED = "second_approver_required"  # 409: above the threshold, one approval so far
    SAME_APPROVER = "same_approver"  # 403: the second approval must come from another staff member
    HOLD_NOT_APPLIED = "hold_not_applied"  # 409: pay out only once the platform has taken the money


class WithdrawalError(FundsError):
    """400."""


class WithdrawalNotFound(FundsNotFound):
    """404."""


class WithdrawalConflict(FundsError, Conflict):
    """409: the withdrawal (or account) is in the wrong state for this request."""


class WithdrawalForbidden(FundsError, Forbidden):
    """403."""


def trading_account_not_found(field: str = "trading_account_id") -> WithdrawalNotFound:
    return WithdrawalNotFound(
        code=WithdrawalErrorCode.TRADING_ACCOUNT_NOT_FOUND,
        message=_("Trading account not found."),
        fields={field: [_("You have no trading account with this id.")]},
    )


def withdrawal_not_found() -> WithdrawalNotFound:
    return WithdrawalNotFound(code=WithdrawalErrorCode.WITHDRAWAL_NOT_FOUND, message=_("Withdrawal not found."))


def invalid_input(fields: dict[str, list[str]]) -> WithdrawalError:
    return WithdrawalError(code="invalid_input", message=_("Some fields are missing or invalid."), fields=fields)
