"""The deposit module's refusals and their stable codes (`DepositErrorCode`).

Deposits also answer with the funds core's codes (`channel_not_found` 404 on `remittance_id`,
`currency_not_supported`, `amount_below_minimum`, `amount_above_maximum` 400,
`exchange_rate_not_found` 404), `invalid_input` (400, with the fields: also an amount that is not
positive or too precise for its currency), `file_not_found` (404, a receipt that is not the
client's) and the platform's (`platform_unavailable` 503, …).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import Conflict
from funds.errors import FundsError, FundsNotFound


class DepositErrorCode(StrEnum):
    TRADING_ACCOUNT_NOT_FOUND = "trading_account_not_found"  # 404: unknown, or someone else's
    TRADING_ACCOUNT_DISABLED = "trading_account_disabled"  # 409
    TRADING_ACCOUNT_IS_DEMO = "trading_account_is_demo"  # 409: deposits go to live accounts (demo: fund_demo_account)
    TRADING_ACCOUNT_NOT_DEMO = "trading_account_not_demo"  # 409: fund_demo_account on a live account
    AMOUNT_NOT_ABOVE_FEE = "amount_not_above_fee"  # 400, fields.deposit_amount: nothing would be credited
    DEMO_BALANCE_LIMIT_EXCEEDED = "demo_balance_limit_exceeded"  # 400, fields.amount
    DEPOSIT_NOT_FOUND = "deposit_not_found"  # 404: unknown order number, or someone else's
    DEPOSIT_DRAFT_EXISTS = "deposit_draft_exists"  # 409, extra `order_number`: the account's open draft
    DEPOSIT_NOT_DRAFT = "deposit_not_draft"  # 409: already submitted, decided or closed
    DEPOSIT_DRAFT_EXPIRED = "deposit_draft_expired"  # 409: past its time to live
    DEPOSIT_NOT_SUBMITTED = "deposit_not_submitted"  # 409: approve/reject a deposit not waiting for review
    DEPOSIT_NOT_CANCELLABLE = "deposit_not_cancellable"  # 409: only drafts and submitted deposits
    DEPOSIT_NOT_PAYABLE = "deposit_not_payable"  # 409: a payment confirmed for a closed deposit
    PAYMENT_MISMATCH = "payment_mismatch"  # 409: the provider confirmed another amount or currency
    PAYMENT_CALLBACK_INVALID = "payment_callback_invalid"  # 400: unsigned, forged or malformed
    PAYMENT_PROVIDER_UNAVAILABLE = "payment_provider_unavailable"  # 409: the channel's provider is not installed
    PAYMENT_PROVIDER_NOT_FOUND = "payment_provider_not_found"  # 404: a callback for a provider we do not have


class DepositError(FundsError):
    """400."""


class DepositNotFound(FundsNotFound):
    """404."""


class DepositConflict(FundsError, Conflict):
    """409: the deposit (or account) is in the wrong state for this request."""


def deposit_not_found() -> DepositNotFound:
    return DepositNotFound(
        code=DepositErrorCode.DEPOSIT_NOT_FOUND,
        message=_("Deposit not found."),
        fields={"order_number": [_("You have no deposit with this order number.")]},
    )


def trading_account_not_found(field: str = "trading_account_id") -> DepositNotFound:
    return DepositNotFound(
        code=DepositErrorCode.TRADING_ACCOUNT_NOT_FOUND,
        message=_("Trading account not found."),
        fields={field: [_("You have no trading account with this id.")]},
    )
