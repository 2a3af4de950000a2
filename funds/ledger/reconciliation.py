"""Reconciliation: does each live trading account hold on its platform what the ledger says?

For every live trading account the platform's balance should be

    ledger balance (its `client_trading` account)
    − in flight (balance operations the ledger already booked but the outbox has not done yet:
                 deposits +, withdrawals −; pending or running)
    + trading result (profit + commission + swap of its closed deals, read from the platform)

Anything else is a `Difference`. It relies on one rule every money service keeps: a balance
operation is enqueued in the same transaction that posts its journal. A failed operation is
therefore a difference until staff retry it.

The ledger, the outbox and the platform are read at different moments; an account whose ledger
entries, in-flight operations or platform balance change while it is being checked is checked
again (up to `ATTEMPTS` times) rather than reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.trading.models import TradingAccount
from crm.platforms.errors import PlatformError
from crm.platforms.gateway import BalanceKind, PlatformGateway, gateway_for
from crm.platforms.models import PlatformOperation, TradingServer
from crm.users.models import User
from funds.ledger.models import LedgerAccount, ReconciliationDifference, ReconciliationRun
from funds.ledger.selectors import ZERO, ledger_balance, ledger_fingerprint

logger = logging.getLogger(__name__)

ATTEMPTS = 3
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
IN_FLIGHT_STATUSES = (PlatformOperation.Status.PENDING, PlatformOperation.Status.RUNNING)
BALANCE_SIGN = {BalanceKind.DEPOSIT: 1, BalanceKind.WITHDRAWAL: -1}


@dataclass(frozen=True)
class Difference:
    trading_account_id: int
    server_id: int
    login: int
    currency: str
    ledger_balance: Decimal
    in_flight: Decimal
    trading_result: Decimal | None
    platform_balance: Decimal | None
    # platform balance − (ledger balance − in flight + trading result); None when the platform did not answer.
    difference: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class _Snapshot:
    ledger: tuple[int, Decimal] | None
    in_flight: dict[int, Decimal]


def _in_flight_operations(*, server: TradingServer, login: int) -> dict[int, Decimal]:
    """Balance operations of `login` the outbox has not done yet, by id, signed as they move the balance."""
    operations = PlatformOperation.objects.filter(
        server=server, kind=PlatformOperation.Kind.BALANCE, status__in=IN_FLIGHT_STATUSES, payload__login=login
    ).values_list("id", "payload")
    return {
        operation_id: BALANCE_SIGN.get(payload.get("kind"), 0) * Decimal(payload.get("amount", "0"))
        for operation_id, payload in operations
    }


def _snapshot(*, account: TradingAccount, ledger_account: LedgerAccount | None) -> _Snapshot:
    ledger = None
    if ledger_account is not None:
        ledger = ledger_fingerprint(account_ids=[ledger_account.pk]).get(ledger_account.pk)
    return _Snapshot(ledger=ledger, in_flight=_in_flight_operations(server=account.server, login=account.login))


def _check_account(
    *, account: TradingAccount, ledger_account: LedgerAccount | None, gateway: PlatformGateway
) -> Difference | None:
    balance = in_flight = ZERO
    for _attempt in range(ATTEMPTS):
        before = _snapshot(account=account, ledger_account=ledger_account)
        balance = ledger_balance(account=ledger_account) if ledger_account is not None else ZERO
        in_flight = sum(before.in_flight.values(), ZERO)
        try:
            state = gateway.account_state(account.login)
            deals = gateway.closed_deals([account.login], EPOCH)
            state_after = gateway.account_state(account.login)
        except PlatformError as error:
            return Difference(
                trading_account_id=account.pk,
                server_id=account.server_id,
                login=account.login,
                currency=account.currency,
                ledger_balance=balance,
                in_flight=in_flight,
                trading_result=None,
                platform_balance=None,
                difference=None,
                note=f"{error.code}: {error.message}"[:500],
            )
        after = _snapshot(account=account, ledger_account=ledger_account)
        if before != after or state.balance != state_after.balance:
            continue
        trading_result = sum((deal.profit + deal.commission + deal.swap for deal in deals), ZERO)
        difference = state.balance - (balance - in_flight + trading_result)
        if difference == 0:
            return None
        return Difference(
            trading_account_id=account.pk,
            server_id=account.server_id,
            login=account.login,
            currency=account.currency,
            ledger_balance=balance,
            in_flight=in_flight,
            trading_result=trading_result,
            platform_balance=state.balance,
            difference=difference,
        )
    return Difference(
        trading_account_id=account.pk,
        server_id=account.server_id,
        login=account.login,
        currency=account.currency,
        ledger_balance=balance,
        in_flight=in_flight,
        trading_result=None,
        platform_balance=None,
        difference=None,
        note="The ledger or the platform kept changing while it was checked.",
    )


def live_trading_accounts(*, server: TradingServer | None = None):
    accounts = TradingAccount.objects.filter(is_demo=False).select_related("server").order_by("server_id", "login")
    if server is not None:
        accounts = accounts.filter(server=server)
    return accounts


def reconcile(*, server: TradingServer | None = None) -> list[Difference]:
    """Every live trading account (of `server`, or of all servers) whose platform balance is unexpected.

    Reads only: call it outside any transaction (it talks to the platforms). An unreachable
    platform is a difference with a note and no amounts.
    """
    differences: list[Difference] = []
    accounts = list(live_trading_accounts(server=server))
    ledger_accounts = {
        ledger_account.trading_account_id: ledger_account
        for ledger_account in LedgerAccount.objects.filter(
            kind=LedgerAccount.Kind.CLIENT_TRADING, trading_account__in=accounts
        )
    }
    gateways: dict[int, PlatformGateway | PlatformError] = {}
    for account in accounts:
        if account.server_id not in gateways:
            try:
                gateways[account.server_id] = gateway_for(account.server)
            except PlatformError as error:
                gateways[account.server_id] = error
        gateway = gateways[account.server_id]
        ledger_account = ledger_accounts.get(account.pk)
        if isinstance(gateway, PlatformError):
            balance = ledger_balance(account=ledger_account) if ledger_account is not None else ZERO
            differences.append(
                Difference(
                    trading_account_id=account.pk,
                    server_id=account.server_id,
                    login=account.login,
                    currency=account.currency,
                    ledger_balance=balance,
                    in_flight=sum(_in_flight_operations(server=account.server, login=account.login).values(), ZERO),
                    trading_result=None,
                    platform_balance=None,
                    difference=None,
                    note=f"{gateway.code}: {gateway.message}"[:500],
                )
            )
            continue
        difference = _check_account(account=account, ledger_account=ledger_account, gateway=gateway)
        if difference is not None:
            differences.append(difference)
    return differences


def reconciliation_run(*, server: TradingServer | None = None, by: User | None = None) -> ReconciliationRun:
    """Reconcile and keep the outcome (a `ReconciliationRun` with its differences) for the back office."""
    run = ReconciliationRun.objects.create(server=server, started_by=by)
    try:
        checked = live_trading_accounts(server=server).count()
        differences = reconcile(server=server)
    except Exception as error:
        logger.exception("reconciliation run %s failed", run.pk)
        run.status, run.error, run.finished_at = ReconciliationRun.Status.FAILED, repr(error)[:2000], timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    with transaction.atomic():
        ReconciliationDifference.objects.bulk_create(
            ReconciliationDifference(
                run=run,
                trading_account_id=difference.trading_account_id,
                server_id=difference.server_id,
                login=difference.login,
                currency=difference.currency,
                ledger_balance=difference.ledger_balance,
                in_flight=difference.in_flight,
                trading_result=difference.trading_result,
                platform_balance=difference.platform_balance,
                difference=difference.difference,
                note=difference.note,
            )
            for difference in differences
        )
        run.accounts_checked = checked
        run.differences_found = len(differences)
        run.status = ReconciliationRun.Status.DIFFERENCES if differences else ReconciliationRun.Status.CLEAN
        run.finished_at = timezone.now()
        run.save(update_fields=["accounts_checked", "differences_found", "status", "finished_at"])
    if differences:
        logger.warning("reconciliation run %s: %s differences", run.pk, len(differences))
    return run
