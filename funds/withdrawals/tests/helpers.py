"""Shared by the withdrawal and transfer tests: funded accounts on the simulated platform, channels, the
outbox run as a worker would, and a snapshot of everything money touches (to prove a refusal
changed nothing)."""

from __future__ import annotations

import contextlib
import itertools
from decimal import Decimal

from django.db import transaction

from clients.trading.models import TradingAccount
from clients.trading.services.snapshots import account_states_refresh
from crm.audit.models import AuditEntry
from crm.configuration.models import FundingMethod
from crm.platforms.errors import TRANSIENT_ERRORS
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue, platform_operation_execute
from crm.platforms.simulator.models import SimAccount
from funds.ledger.models import Entry, Journal, LedgerAccount
from funds.ledger.services import broker_bank_account, client_trading_account, journal_post
from funds.ledger.tests.factories import platform_account
from funds.models import Direction
from funds.tests.factories import ChannelCurrencyFactory, ChannelFactory, currency
from funds.transfers.models import Transfer
from funds.withdrawals.models import Hold, Withdrawal

D = Decimal
_keys = itertools.count(1)


def funding_channel():
    """A deposit channel the test money comes through (its ledger account balances the client's)."""
    channel = ChannelFactory(method=FundingMethod.BANK_TRANSFER, can_withdraw=False)
    ChannelCurrencyFactory(channel=channel, currency=currency("USD"), direction=Direction.DEPOSIT)
    return channel


def fund(account: TradingAccount, amount: str, *, channel=None) -> None:
    """Deposit `amount` the way a money service does (journal + outbox), and run it on the platform."""
    channel = channel or funding_channel()
    key = f"test-funding:{account.pk}:{next(_keys)}"
    with transaction.atomic():
        journal_post(
            kind=Journal.Kind.DEPOSIT,
            lines=[
                (broker_bank_account(channel=channel, currency=account.currency), D(amount)),
                (client_trading_account(trading_account=account), -D(amount)),
            ],
            reference=account,
            idempotency_key=key,
        )
        operation = platform_operation_enqueue(
            server=account.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": account.login, "kind": "deposit", "amount": D(amount), "comment": "test funding"},
            idempotency_key=key,
        )
    assert platform_operation_execute(operation_id=operation.pk).status == "done"


def funded_account(user, amount: str = "5000.00", *, server=None) -> TradingAccount:
    account = platform_account(user=user, server=server)
    if D(amount):
        fund(account, amount)
    return account


def credit_in(account: TradingAccount, amount: str) -> None:
    """The broker lends `amount` of credit (a bonus): on the platform only, as the bonus module would; its
    operation refreshes the account's snapshot once done, as the outbox does."""
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.CREDIT_IN, D(amount), idempotency_key=f"credit:{account.pk}:{next(_keys)}"
    )
    refresh_snapshots(account)


def refresh_snapshots(*accounts: TradingAccount) -> None:
    """Read the accounts' figures into their snapshots now, as the beat task would."""
    for account in accounts:
        account_states_refresh(server=account.server, accounts=[account])


def platform_balance(account: TradingAccount) -> Decimal:
    return SimAccount.objects.get(server=account.server, login=account.login).balance


def drain_on_platform(account: TradingAccount, amount: str) -> None:
    """Money leaves on the platform itself (a manager terminal), past the CRM."""
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.WITHDRAWAL, D(amount), idempotency_key=f"drain:{account.pk}:{next(_keys)}"
    )


def run_outbox(max_rounds: int = 50) -> list[PlatformOperation]:
    """Execute every pending operation (and those their callbacks enqueue) as workers would, retrying
    transient failures at once (as if their backoff had passed). Returns the operations executed."""
    executed = []
    for _round in range(max_rounds):
        pending = list(PlatformOperation.objects.filter(status=PlatformOperation.Status.PENDING).order_by("id"))
        if not pending:
            return executed
        for operation in pending:
            PlatformOperation.objects.filter(pk=operation.pk, status="pending").update(locked_until=None)
            with contextlib.suppress(*TRANSIENT_ERRORS):
                executed.append(platform_operation_execute(operation_id=operation.pk))
    raise AssertionError("the outbox never settled")


def money_snapshot(*accounts: TradingAccount) -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "withdrawals": list(Withdrawal.objects.order_by("id").values_list("id", "status", "updated_at")),
        "transfers": list(Transfer.objects.order_by("id").values_list("id", "status", "updated_at")),
        "holds": list(Hold.objects.order_by("id").values_list("id", "status", "platform_status")),
        "journals": Journal.objects.count(),
        "entries": Entry.objects.count(),
        "ledger_accounts": LedgerAccount.objects.count(),
        "operations": list(PlatformOperation.objects.order_by("id").values_list("id", "status")),
        "audit": AuditEntry.objects.count(),
        "platform": [platform_balance(account) for account in accounts],
    }


def entries_of(journal: Journal) -> list[tuple[str, Decimal]]:
    return sorted(journal.entries.values_list("account__code", "amount"))


def payout_info(method: str) -> dict:
    from funds.tests.factories import bank_transfer_info, cryptocurrency_info, international_wire_info

    return {
        FundingMethod.BANK_TRANSFER: bank_transfer_info,
        FundingMethod.INTERNATIONAL_WIRE_TRANSFER: international_wire_info,
        FundingMethod.CRYPTOCURRENCY: cryptocurrency_info,
    }[method]()


def request_withdrawal(user, account, channel, amount: str = "1000.00", *, currency: str | None = None, **overrides):
    """A withdrawal request as a client makes it, with the quote the server shows."""
    from funds.models import INFO_FIELDS
    from funds.withdrawals import services
    from funds.withdrawals.selectors import withdrawal_quote

    currency = currency or channel.currencies.get(direction=Direction.WITHDRAWAL).currency.code
    quote = withdrawal_quote(
        user=user, account=account, channel_id=channel.pk, currency=currency, withdrawal_amount=D(amount)
    )
    arguments = {
        "user": user,
        "trading_account_id": account.pk,
        "channel_id": channel.pk,
        "method": channel.method,
        "currency": currency,
        "withdrawal_amount": D(amount),
        "fee": quote.fee,
        "exchange_rate": quote.exchange_rate,
        "remittance_amount": quote.remittance_amount,
        "payout_details": {INFO_FIELDS[channel.method]: payout_info(channel.method)},
        **overrides,
    }
    return services.withdrawal_request(**arguments)
