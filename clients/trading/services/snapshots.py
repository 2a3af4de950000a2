"""The snapshot of each account's figures (balance, credit, equity, margins), read in the background.

Requests never wait on the platform for these: they show the snapshot and its age. The beat task
refreshes the stalest snapshots of each server in batches; the outbox refreshes an account right
after an operation on it completes. A snapshot is a copy, not money we own: no audit row, and an
older reading never overwrites a newer one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from clients.trading.models import TradingAccount
from crm.platforms.errors import TRANSIENT_ERRORS, PlatformError
from crm.platforms.gateway import AccountState, gateway_for
from crm.platforms.models import TradingServer

logger = logging.getLogger(__name__)

REFRESH_BATCH = 500
# A snapshot older than this is refreshed by the next beat run.
STALE_AFTER = timedelta(minutes=5)


def _store(*, account_id: int, state: AccountState, read_at: datetime) -> bool:
    newer_not_stored = Q(state_refreshed_at__isnull=True) | Q(state_refreshed_at__lt=read_at)
    return bool(
        TradingAccount.objects.filter(newer_not_stored, pk=account_id).update(
            state_balance=state.balance,
            state_credit=state.credit,
            state_equity=state.equity,
            state_margin=state.margin,
            state_free_margin=state.free_margin,
            state_refreshed_at=read_at,
        )
    )


def account_states_refresh(*, server: TradingServer, accounts: Iterable[TradingAccount]) -> int:
    """Read `accounts` (all on `server`) from the platform and store their snapshots; how many were stored.

    Stops at the first timeout or outage: the server's other accounts would wait for the same
    timeout, and they keep their older snapshot (with its age) until the next run.
    """
    gateway = gateway_for(server)
    stored = 0
    for account in accounts:
        read_at = timezone.now()  # before the call: the age never looks younger than it is
        try:
            state = gateway.account_state(account.login)
        except TRANSIENT_ERRORS as error:
            logger.warning("account states of server %s: %s", server.pk, error.code)
            break
        except PlatformError as error:  # e.g. a login the platform no longer knows
            logger.warning("account state of %s on server %s: %s", account.login, server.pk, error.code)
            continue
        stored += _store(account_id=account.pk, state=state, read_at=read_at)
    return stored


def account_states_refresh_stale(*, server: TradingServer, batch_size: int = REFRESH_BATCH) -> int:
    """Refresh one batch of `server`'s active accounts whose snapshot is missing or stale, stalest first."""
    stale_before = timezone.now() - STALE_AFTER
    accounts = list(
        TradingAccount.objects.filter(
            Q(state_refreshed_at__isnull=True) | Q(state_refreshed_at__lt=stale_before),
            server=server,
            status=TradingAccount.Status.ACTIVE,
        )
        .order_by(F("state_refreshed_at").asc(nulls_first=True), "id")
        .only("id", "login")[:batch_size]
    )
    if not accounts:
        return 0
    return account_states_refresh(server=server, accounts=accounts)


def account_state_refresh_after_operation(*, server_id: int, login: int) -> None:
    """The outbox's hook (settings.PLATFORM_ACCOUNT_STATE_REFRESH): an operation on `login` completed."""
    account = TradingAccount.objects.select_related("server").filter(server_id=server_id, login=login).first()
    if account is not None:
        account_states_refresh(server=account.server, accounts=[account])
