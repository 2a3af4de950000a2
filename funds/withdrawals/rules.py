"""Checks shared by withdrawals and transfers: whose account it is, whether money may leave or enter it,
the e-mail code, and the refusal for asking more than the account can give."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount
from crm.users.models import User
from crm.verification.services import email_code_required
from funds.errors import FundsError
from funds.money import format_amount
from funds.withdrawals.errors import (
    WithdrawalConflict,
    WithdrawalError,
    WithdrawalErrorCode,
    trading_account_not_found,
)
from funds.withdrawals.selectors import can_deposit_to, can_withdraw_from, usage_of


def own_trading_account(
    *, user: User, trading_account_id: int, for_update: bool = False, field: str = "trading_account_id"
) -> TradingAccount:
    """One of `user`'s trading accounts (locked with `for_update`); 404 naming `field` for anyone else's."""
    accounts = TradingAccount.objects.filter(user=user)
    if for_update:
        accounts = accounts.select_for_update(of=("self",))
    account = accounts.select_related("server", "account_type").filter(pk=trading_account_id).first()
    if account is None:
        raise trading_account_not_found(field)
    return account


def _check_live_and_active(account: TradingAccount, *, field: str) -> None:
    if account.is_demo:
        raise WithdrawalConflict(
            code=WithdrawalErrorCode.TRADING_ACCOUNT_IS_DEMO,
            message=_("Demo accounts hold play money; it cannot be withdrawn or transferred."),
            fields={field: [_("A demo account.")]},
        )
    if not account.is_active:
        raise WithdrawalConflict(
            code=WithdrawalErrorCode.TRADING_ACCOUNT_DISABLED,
            message=_("This trading account is disabled."),
            fields={field: [_("A disabled account.")]},
        )


def check_account_can_send(account: TradingAccount, *, field: str) -> None:
    """Money may leave `account`: live, active, of a type not reserved for deposits (409 / 400 otherwise)."""
    _check_live_and_active(account, field=field)
    if not can_withdraw_from(usage_of(account.account_type_id)):
        message = _("Accounts of this type are for deposits only.")
        raise WithdrawalError(
            code=WithdrawalErrorCode.ACCOUNT_USAGE_NOT_ALLOWED, message=message, fields={field: [message]}
        )


def check_account_can_receive(account: TradingAccount, *, field: str) -> None:
    """Money may enter `account`: live, active, of a type not reserved for withdrawals (409 / 400 otherwise)."""
    _check_live_and_active(account, field=field)
    if not can_deposit_to(usage_of(account.account_type_id)):
        message = _("Accounts of this type are for withdrawals only.")
        raise WithdrawalError(
            code=WithdrawalErrorCode.ACCOUNT_USAGE_NOT_ALLOWED, message=message, fields={field: [message]}
        )


def email_code_check_given(*, scene: str, code: str | None, field: str = "email_code") -> bool:
    """Whether the company asks for an e-mail code in `scene`; 400 `email_code_required` when it does and
    none was given (checked before anything else is done; the code itself is spent in the service's
    transaction, so a request refused later leaves it usable)."""
    if not email_code_required(scene=scene):
        return False
    if not (code or "").strip():
        raise FundsError(
            code="email_code_required",
            message=_("Enter the code sent to your e-mail."),
            fields={field: [_("This field is required.")]},
        )
    return True


def insufficient_free_margin(*, available: Decimal, currency: str, field: str) -> WithdrawalError:
    """400 `insufficient_free_margin` naming `field`, with `available` (never below 0) in the body."""
    shown = format_amount(max(available, Decimal(0)), currency)
    message = _("At most %(amount)s %(code)s can be taken out of this account now.") % {
        "amount": shown,
        "code": currency,
    }
    return WithdrawalError(
        code=WithdrawalErrorCode.INSUFFICIENT_FREE_MARGIN,
        message=message,
        fields={field: [message]},
        extra={"available": shown},
    )
