"""The payout module's refusals and their stable codes (`PayoutErrorCode`)."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import ApplicationError, Conflict, NotFound


class PayoutErrorCode(StrEnum):
    PAYOUT_NOT_FOUND = "rebate_payout_not_found"  # 404
    PAYOUT_NOT_PENDING = "rebate_payout_not_pending"  # 409: approve or hold a payout not waiting
    PAYOUT_NOT_HELD = "rebate_payout_not_held"  # 409: release a payout that is not held
    REBATE_ACCOUNT_UNUSABLE = "rebate_account_unusable"  # 409: its trading account was disabled meanwhile
    INVALID_INPUT = "invalid_input"  # 400: a hold without a reason


class PayoutError(ApplicationError):
    """400."""


class PayoutNotFound(PayoutError, NotFound):
    """404."""


class PayoutConflict(PayoutError, Conflict):
    """409: the payout is in the wrong state for this request."""


def payout_not_found() -> PayoutNotFound:
    return PayoutNotFound(code=PayoutErrorCode.PAYOUT_NOT_FOUND, message=_("Rebate payout not found."))
