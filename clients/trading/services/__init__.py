"""Every write of the trading app; import from here.

- applications: `account_application_create/approve/reject/fail`, `account_open`
- leverage: `leverage_change_request/approve/reject/fail`
- accounts: `trading_password_change`, `trading_account_status_set`, `trading_account_register`
"""

from clients.trading.services.accounts import (
    PasswordType,
    trading_account_register,
    trading_account_status_set,
    trading_password_change,
)
from clients.trading.services.applications import (
    account_application_approve,
    account_application_create,
    account_application_fail,
    account_application_reject,
    account_open,
)
from clients.trading.services.leverage import (
    leverage_change_approve,
    leverage_change_fail,
    leverage_change_reject,
    leverage_change_request,
)

__all__ = [
    "PasswordType",
    "account_application_approve",
    "account_application_create",
    "account_application_fail",
    "account_application_reject",
    "account_open",
    "leverage_change_approve",
    "leverage_change_fail",
    "leverage_change_reject",
    "leverage_change_request",
    "trading_account_register",
    "trading_account_status_set",
    "trading_password_change",
]
