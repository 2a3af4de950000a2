"""What every deposit service shares: finding and locking, checking amounts, recording transitions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount
from crm.users.models import User
from funds.deposits.errors import (
    DepositConflict,
    DepositErrorCode,
    deposit_not_found,
    trading_account_not_found,
)
from funds.deposits.models import Deposit
from funds.errors import FundsError
from funds.money import amount_check
from funds.movements.services import movement_client_tell, movement_transition

Status = Deposit.Status
ORDER_NUMBER_PREFIX = "D"


def conflict(code: str, message: str, **extra: Any) -> DepositConflict:
    return DepositConflict(code=code, message=message, extra=extra)


def transition(
    deposit: Deposit,
    to_status: str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> Deposit:
    """Move a locked deposit to `to_status`, saving `fields` too, with its event and audit row
    (`deposit.<to_status>`: a deposit's steps are named by where they lead)."""
    return movement_transition(
        movement=deposit, to_status=to_status, action=to_status, actor=actor, reason=reason, data=data, fields=fields
    )


def locked_deposit(
    *, user: User | None = None, order_number: str | None = None, deposit_id: int | None = None
) -> Deposit:
    deposits = Deposit.objects.select_for_update()
    if user is not None:
        deposits = deposits.filter(user=user)
    deposit = (
        deposits.filter(pk=deposit_id).first()
        if deposit_id is not None
        else deposits.filter(order_number=(order_number or "").strip()).first()
    )
    if deposit is None:
        raise deposit_not_found()
    return deposit


def own_trading_account(*, user: User, trading_account_id: int, for_update: bool = False) -> TradingAccount:
    accounts = TradingAccount.objects.filter(user=user)
    if for_update:
        accounts = accounts.select_for_update(of=("self",))
    account = accounts.select_related("server", "account_type").filter(pk=trading_account_id).first()
    if account is None:
        raise trading_account_not_found()
    return account


def amount_input(amount: Decimal, currency, *, field: str) -> Decimal:
    """An amount a client typed, at `currency`'s precision; 400 `invalid_input` on `field` when it is not
    positive or has more decimals than the currency (the same refusal as a malformed amount)."""
    try:
        return amount_check(amount, currency, field=field)
    except FundsError as error:
        raise FundsError(
            code="invalid_input", message=_("Some fields are missing or invalid."), fields=error.fields
        ) from None


def check_account_usable(account: TradingAccount) -> None:
    if not account.is_active:
        raise conflict(DepositErrorCode.TRADING_ACCOUNT_DISABLED, _("This trading account is disabled."))


def tell_client(deposit: Deposit, *, title: dict[str, str], content: dict[str, str]) -> None:
    movement_client_tell(user=deposit.user, title=title, content=content)
