"""The transfer module's refusals and their stable codes.

Besides `invalid_input` (400), the withdrawal module's account and margin codes
(`trading_account_not_found` 404, `trading_account_is_demo` / `trading_account_disabled` 409,
`account_usage_not_allowed` / `insufficient_free_margin` 400), `exchange_rate_not_found` (404), the
e-mail code's and the platform's (`platform_unavailable` 503):
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import Conflict
from funds.errors import FundsError, FundsNotFound


class TransferErrorCode(StrEnum):
    SAME_ACCOUNT = "same_account"  # 400, fields.target_trading_account_id: from an account to itself
    AMOUNT_TOO_SMALL = "amount_too_small"  # 400, fields.amount: nothing would reach the target after conversion
    TRANSFER_NOT_FOUND = "transfer_not_found"  # 404
    TRANSFER_NOT_PENDING = "transfer_not_pending"  # 409: approve / reject a transfer already decided


class TransferError(FundsError):
    """400."""


class TransferNotFound(FundsNotFound):
    """404."""


class TransferConflict(FundsError, Conflict):
    """409."""


def transfer_not_found() -> TransferNotFound:
    return TransferNotFound(code=TransferErrorCode.TRANSFER_NOT_FOUND, message=_("Transfer not found."))
