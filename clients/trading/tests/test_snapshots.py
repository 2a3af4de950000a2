"""Account snapshots: refreshed by the beat task in batches and right after a platform operation."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from clients.trading.models import TradingAccount
from clients.trading.services import snapshots
from clients.trading.tasks import refresh_account_states
from clients.trading.tests.conftest import execute, open_account
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.platforms.simulator import faults

pytestmark = pytest.mark.django_db

FIGURES = ["state_balance", "state_credit", "state_equity", "state_margin", "state_free_margin"]


def figures(account: TradingAccount) -> list:
    account.refresh_from_db()
    return [getattr(account, name) for name in FIGURES]


def test_the_beat_task_refreshes_stale_and_missing_snapshots_and_leaves_fresh_ones(client_a, live_type):
    stale, fresh, never_read = (open_account(client_a, live_type) for _ in range(3))
    gateway = gateway_for(live_type.server)
    for number, account in enumerate((stale, fresh, never_read), start=1):
        gateway.balance_operation(
            account.login, BalanceKind.DEPOSIT, Decimal(100 * number), idempotency_key=f"k{number}"
        )
    now = timezone.now()
    TradingAccount.objects.filter(pk=stale.pk).update(state_refreshed_at=now - snapshots.STALE_AFTER - timedelta(1))
    TradingAccount.objects.filter(pk=fresh.pk).update(state_refreshed_at=now - timedelta(minutes=1))
    TradingAccount.objects.filter(pk=never_read.pk).update(state_refreshed_at=None)

    with time_machine.travel(now, tick=False):
        assert refresh_account_states() == 2

    assert figures(stale) == [Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), Decimal("0.00"), Decimal("100.00")]
    assert figures(never_read)[0] == Decimal("300.00")
    assert (stale.state_refreshed_at, never_read.state_refreshed_at) == (now, now)
    assert figures(fresh)[0] == Decimal("0.00")  # fresh enough: not asked again
    assert fresh.state_refreshed_at == now - timedelta(minutes=1)


def test_a_batch_stops_at_an_unavailable_server_and_keeps_the_old_snapshots(client_a, live_type):
    first, second = open_account(client_a, live_type), open_account(client_a, live_type)
    TradingAccount.objects.update(state_refreshed_at=None)
    faults.inject(live_type.server, "account_state", "unavailable")

    assert snapshots.account_states_refresh_stale(server=live_type.server) == 0

    assert TradingAccount.objects.filter(pk__in=[first.pk, second.pk], state_refreshed_at=None).count() == 2
    assert snapshots.account_states_refresh_stale(server=live_type.server) == 2  # the fault was one time


def test_an_older_reading_never_overwrites_a_newer_one(client_a, live_type):
    account = open_account(client_a, live_type, deposit="50.00")
    newer = account.state_refreshed_at

    with time_machine.travel(newer - timedelta(seconds=5), tick=False):
        assert snapshots.account_states_refresh(server=live_type.server, accounts=[account]) == 0

    account.refresh_from_db()
    assert (account.state_refreshed_at, account.state_balance) == (newer, Decimal("50.00"))


def test_a_balance_operation_through_the_outbox_refreshes_the_snapshot_at_once(client_a, live_type):
    account = open_account(client_a, live_type)
    assert figures(account)[0] == Decimal("0.00")
    with transaction.atomic():
        operation = platform_operation_enqueue(
            server=live_type.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": account.login, "kind": "deposit", "amount": "250.00", "comment": "test"},
            idempotency_key="deposit-250",
        )

    assert execute(operation).status == PlatformOperation.Status.DONE

    assert figures(account) == [
        Decimal("250.00"),
        Decimal("0.00"),
        Decimal("250.00"),
        Decimal("0.00"),
        Decimal("250.00"),
    ]


def test_a_failed_refresh_after_an_operation_leaves_the_operation_done(client_a, live_type):
    account = open_account(client_a, live_type)
    refreshed_at = account.state_refreshed_at
    with transaction.atomic():
        operation = platform_operation_enqueue(
            server=live_type.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": account.login, "kind": "deposit", "amount": "10.00", "comment": "test"},
            idempotency_key="deposit-10",
        )
    faults.inject(live_type.server, "account_state", "unavailable")

    assert execute(operation).status == PlatformOperation.Status.DONE

    account.refresh_from_db()
    assert (account.state_refreshed_at, account.state_balance) == (refreshed_at, Decimal("0.00"))
