"""Reads of withdrawals, holds and account usages, scoped to who asks; shared by the API, the admin and reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount, TradingAccountType
from clients.trading.selectors import account_snapshots_of
from crm.configuration.models import Currency
from crm.platforms.gateway import AccountState
from crm.users.models import User
from funds.errors import FundsError
from funds.ledger.models import LedgerAccount
from funds.ledger.selectors import ledger_balances
from funds.models import Channel, ChannelCurrency, Direction
from funds.money import amount_check, currency_get, quantize
from funds.selectors import channel_check_amount, channel_currency_get, channel_get_open, exchange_rate_get, fee_for
from funds.withdrawals.errors import WithdrawalError, WithdrawalErrorCode, invalid_input
from funds.withdrawals.holds import exact, holds_expected_balances, holds_on_the_way, withdrawable_of
from funds.withdrawals.models import FundingUsage, Usage, Withdrawal

ZERO = Decimal(0)


# --- usages -------------------------------------------------------------------------------------------


def usage_of(account_type: TradingAccountType | int) -> str:
    """The usage of an account type; `normal` when staff never set one."""
    type_id = account_type if isinstance(account_type, int) else account_type.pk
    return FundingUsage.objects.filter(account_type_id=type_id).values_list("usage", flat=True).first() or Usage.NORMAL


def can_withdraw_from(usage: str) -> bool:
    return usage != Usage.DEPOSIT_ONLY


def can_deposit_to(usage: str) -> bool:
    return usage != Usage.WITHDRAWAL_ONLY


# --- amounts ------------------------------------------------------------------------------------------


def amount_input(amount: Decimal, currency: Currency | str, *, field: str) -> Decimal:
    """An amount a client typed, at `currency`'s precision; 400 `invalid_input` on `field` when it is not
    positive or has more decimals than the currency (the same refusal as a malformed amount)."""
    try:
        return amount_check(amount, currency, field=field)
    except FundsError as error:
        if error.code == "currency_not_found":
            raise
        raise invalid_input(error.fields) from None


@dataclass(frozen=True)
class WithdrawalQuote:
    """What a withdrawal of `withdrawal_amount` through a channel comes to, as the server computes it."""

    channel: Channel
    channel_currency: ChannelCurrency
    account_currency: Currency
    currency: Currency
    withdrawal_amount: Decimal
    exchange_rate: Decimal
    converted_amount: Decimal  # withdrawal_amount × exchange_rate, in `currency`
    fee: Decimal
    remittance_amount: Decimal  # converted_amount − fee


def withdrawal_quote(
    *, user: User, account: TradingAccount, channel_id: int, currency: str, withdrawal_amount: Decimal
) -> WithdrawalQuote:
    """The fee, rate and amount paid out for taking `withdrawal_amount` (the account's currency) off
    `account` and paying it out in `currency` through the channel.

    The channel's limits apply to the converted amount (in `currency`). 404 `channel_not_found`,
    `currency_not_found`, `exchange_rate_not_found`; 400 `currency_not_supported`, `invalid_input`,
    `amount_below_minimum`, `amount_above_maximum`, `amount_not_above_fee`.
    """
    account_currency = currency_get(account.currency)
    amount = amount_input(withdrawal_amount, account_currency, field="withdrawal_amount")
    channel = channel_get_open(user=user, channel_id=channel_id, direction=Direction.WITHDRAWAL)
    payout_currency = currency_get(currency)
    channel_currency_get(channel=channel, currency=payout_currency, direction=Direction.WITHDRAWAL)
    rate = exchange_rate_get(from_currency=account_currency, to_currency=payout_currency)
    converted = quantize(amount * rate, payout_currency)
    row = channel_check_amount(
        channel=channel,
        currency=payout_currency,
        amount=converted,
        direction=Direction.WITHDRAWAL,
        amount_field="withdrawal_amount",
    )
    fee = fee_for(channel_currency=row, amount=converted)
    if fee >= converted:
        message = _("The amount must be above the fee of %(fee)s %(code)s.") % {
            "fee": fee,
            "code": payout_currency.code,
        }
        raise WithdrawalError(
            code=WithdrawalErrorCode.AMOUNT_NOT_ABOVE_FEE, message=message, fields={"withdrawal_amount": [message]}
        )
    return WithdrawalQuote(
        channel=channel,
        channel_currency=row,
        account_currency=account_currency,
        currency=payout_currency,
        withdrawal_amount=amount,
        exchange_rate=rate,
        converted_amount=converted,
        fee=fee,
        remittance_amount=converted - fee,
    )


# --- withdrawals ----------------------------------------------------------------------------------------


def withdrawals_with_details() -> QuerySet[Withdrawal]:
    return Withdrawal.objects.select_related(
        "user",
        "trading_account__account_type",
        "trading_account__server",
        "channel",
        "currency",
        "account_currency",
        "payout_account",
        "decided_by",
        "second_approver",
        "paid_by",
        "hold",
    )


def withdrawals_of(*, user: User) -> QuerySet[Withdrawal]:
    return withdrawals_with_details().filter(user=user)


def withdrawal_history(
    *, user: User, start_time: datetime | None = None, end_time: datetime | None = None
) -> QuerySet[Withdrawal]:
    """`user`'s withdrawals requested within [start_time, end_time] (either bound optional), newest first."""
    withdrawals = withdrawals_of(user=user)
    if start_time is not None:
        withdrawals = withdrawals.filter(created_at__gte=start_time)
    if end_time is not None:
        withdrawals = withdrawals.filter(created_at__lte=end_time)
    return withdrawals.order_by("-created_at", "-id")


def withdrawal_has_pending(*, user: User) -> bool:
    """Whether `user` has a withdrawal the broker has not finished with: waiting for (a second) approval or
    for payment."""
    return Withdrawal.objects.filter(user=user, status__in=Withdrawal.OPEN).exists()


def withdrawals_queue() -> QuerySet[Withdrawal]:
    return withdrawals_with_details().order_by("-id")


# --- balances -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountBalance:
    account: TradingAccount
    currency: Currency  # the account's, for its precision
    usage: str
    state: AccountState | None  # the snapshot (`account.state_refreshed_at`); None before the first reading
    on_hold: Decimal  # holds the platform has not taken yet

    @property
    def withdrawable(self) -> Decimal | None:
        if self.state is None:
            return None
        return max(ZERO, withdrawable_of(self.state) - self.on_hold)


def trading_account_balances(*, user: User, usages: Iterable[str]) -> list[AccountBalance]:
    """`user`'s active live accounts whose type has one of `usages`, newest first, with their snapshot figures
    (no platform call; None before the first reading) and what they may withdraw. The withdrawal itself
    checks the free margin with the platform, under the lock."""
    wanted = set(usages)
    accounts = list(
        TradingAccount.objects.filter(user=user, is_demo=False, status=TradingAccount.Status.ACTIVE)
        .select_related("account_type", "server")
        .order_by("-id")
    )
    type_usages = dict(
        FundingUsage.objects.filter(account_type_id__in={account.account_type_id for account in accounts}).values_list(
            "account_type_id", "usage"
        )
    )
    chosen = [
        (account, type_usages.get(account.account_type_id, Usage.NORMAL))
        for account in accounts
        if type_usages.get(account.account_type_id, Usage.NORMAL) in wanted
    ]
    states = account_snapshots_of(account for account, _usage in chosen)
    on_hold = holds_on_the_way(account_ids=[account.pk for account, _usage in chosen])
    currencies = Currency.objects.in_bulk({account.currency for account, _usage in chosen}, field_name="code")
    return [
        AccountBalance(
            account=account,
            currency=currency_get(currencies.get(account.currency, account.currency)),  # unknown: 404 as before
            usage=usage,
            state=states.get(account.pk),
            on_hold=on_hold.get(account.pk, ZERO),
        )
        for account, usage in chosen
    ]


# --- holds against the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldDifference:
    trading_account_id: int
    ledger_balance: Decimal  # the client_hold account's balance
    expected: Decimal  # what the holds say it should be

    @property
    def difference(self) -> Decimal:
        return self.ledger_balance - self.expected


def hold_differences() -> list[HoldDifference]:
    """Trading accounts whose client_hold ledger balance is not the sum of their open holds.

    Complements `funds.ledger.reconciliation.reconcile` (which compares client_trading with the
    platforms, counting hold operations still in the outbox as in flight): together they check
    every cent a hold moved.
    """
    expected = holds_expected_balances()
    ledger_accounts = list(LedgerAccount.objects.filter(kind=LedgerAccount.Kind.CLIENT_HOLD))
    balances = ledger_balances(accounts=ledger_accounts)
    seen = {
        account.trading_account_id: exact(balances[account.pk])
        for account in ledger_accounts
        if account.trading_account_id is not None  # every client_hold account has one
    }
    differences = []
    for account_id in sorted(set(seen) | set(expected)):
        ledger = seen.get(account_id, ZERO)
        wanted = expected.get(account_id, ZERO)
        if ledger != wanted:
            differences.append(HoldDifference(trading_account_id=account_id, ledger_balance=ledger, expected=wanted))
    return differences
