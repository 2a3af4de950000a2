"""Reconciliation: the ledger against the platforms' balances, accounting for the outbox and trading."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue, platform_operation_execute
from crm.platforms.simulator.models import SimDeal
from crm.platforms.simulator.trading import simulate_trading
from funds.ledger.models import Journal, ReconciliationRun
from funds.ledger.reconciliation import reconcile, reconciliation_run
from funds.ledger.services import broker_bank_account, client_trading_account, journal_post
from funds.ledger.tasks import reconcile_ledger
from funds.ledger.tests.factories import platform_account, platform_balance
from funds.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def account(db):
    return platform_account()


@pytest.fixture
def bank(db):
    return broker_bank_account(channel=ChannelFactory(), currency="USD")


def book_deposit(account, bank, amount: str, key: str) -> PlatformOperation:
    """What a money service does: the journal and the platform operation in one transaction."""
    with transaction.atomic():
        journal_post(
            kind=Journal.Kind.DEPOSIT,
            lines=[(bank, D(amount)), (client_trading_account(trading_account=account), -D(amount))],
            reference=account,
            idempotency_key=key,
        )
        return platform_operation_enqueue(
            server=account.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={"login": account.login, "kind": "deposit", "amount": D(amount)},
            idempotency_key=key,
        )


def test_a_normal_deposit_leaves_nothing_to_report(account, bank):
    operation = book_deposit(account, bank, "250.00", "d-1")
    platform_operation_execute(operation_id=operation.pk)

    assert reconcile() == []
    assert platform_balance(account) == D("250.00")


def test_an_operation_still_in_the_outbox_is_not_a_difference(account, bank):
    book_deposit(account, bank, "250.00", "d-1")  # booked, not yet on the platform

    assert reconcile() == []


def test_a_planted_difference_is_found_with_its_figures(account, bank):
    operation = book_deposit(account, bank, "250.00", "d-1")
    platform_operation_execute(operation_id=operation.pk)
    # Someone credits the account on the platform itself, past the CRM.
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.DEPOSIT, D("30.00"), idempotency_key="manager-terminal"
    )
    other = platform_account()  # clean, on another server

    differences = reconcile()

    assert len(differences) == 1
    found = differences[0]
    assert (found.trading_account_id, found.login, found.currency) == (account.pk, account.login, "USD")
    assert (found.platform_balance, found.ledger_balance, found.in_flight, found.trading_result) == (
        D("280.00"),
        D("250.00"),
        D("0"),
        D("0"),
    )
    assert found.difference == D("30.00")
    assert reconcile(server=other.server) == []


def test_money_missing_from_the_platform_is_a_negative_difference(account, bank):
    operation = book_deposit(account, bank, "100.00", "d-1")
    platform_operation_execute(operation_id=operation.pk)
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.WITHDRAWAL, D("40.00"), idempotency_key="manager-terminal"
    )

    (found,) = reconcile()

    assert found.difference == D("-40.00")


def test_a_failed_operation_is_a_difference_until_it_is_retried(account, bank):
    operation = book_deposit(account, bank, "100.00", "d-1")
    PlatformOperation.objects.filter(pk=operation.pk).update(status=PlatformOperation.Status.FAILED)

    (found,) = reconcile()

    assert (found.ledger_balance, found.in_flight, found.platform_balance, found.difference) == (
        D("100.00"),
        D("0"),
        D("0.00"),
        D("-100.00"),
    )


def test_the_trading_result_on_the_platform_is_expected(account, bank):
    operation = book_deposit(account, bank, "5000.00", "d-1")
    platform_operation_execute(operation_id=operation.pk)
    simulate_trading(server=account.server, logins=[account.login], until=timezone.now() + timedelta(days=3))
    assert SimDeal.objects.filter(account__login=account.login).exists()
    assert platform_balance(account) != D("5000.00")

    assert reconcile() == []


def test_an_unreachable_platform_is_reported_without_figures(account, bank):
    book_deposit(account, bank, "10.00", "d-1")
    account.server.is_enabled = False
    account.server.save()

    (found,) = reconcile()

    assert (found.platform_balance, found.difference, found.ledger_balance, found.in_flight) == (
        None,
        None,
        D("10.00"),
        D("10.00"),
    )
    assert found.note.startswith("trading_server_disabled")


def test_demo_accounts_are_not_reconciled(bank):
    platform_account(is_demo=True, balance="100.00")

    assert reconcile() == []


def test_a_run_keeps_its_differences_for_the_back_office(account, bank, staff):
    gateway_for(account.server).balance_operation(account.login, BalanceKind.DEPOSIT, D("5.00"), idempotency_key="x")
    platform_account()

    run = reconciliation_run(by=staff)
    clean = reconciliation_run(server=platform_account().server)

    assert (run.status, run.accounts_checked, run.differences_found, run.started_by) == ("differences", 2, 1, staff)
    assert run.finished_at is not None
    assert list(run.differences.values_list("login", "difference")) == [(account.login, D("5.00"))]
    assert (clean.status, clean.accounts_checked, clean.differences_found) == ("clean", 1, 0)


def test_a_run_that_breaks_is_kept_as_failed(account, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("funds.ledger.reconciliation.reconcile", broken)

    run = reconciliation_run()

    assert run.status == ReconciliationRun.Status.FAILED
    assert "database went away" in run.error


def test_the_command_lists_the_differences(account):
    gateway_for(account.server).balance_operation(account.login, BalanceKind.DEPOSIT, D("5.00"), idempotency_key="x")
    out = StringIO()

    call_command("reconcile_ledger", stdout=out)

    assert f"{account.login} (USD): platform 5.00 ledger 0.00 in flight 0.00 trading 0.00 → 5.00" in out.getvalue()
    assert "1 accounts checked, 1 differences." in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("reconcile_ledger", "--server", account.server.name, "--fail-on-difference", stdout=StringIO())
    assert ReconciliationRun.objects.count() == 2


def test_the_periodic_task_runs_a_reconciliation(account, staff):
    run_id = reconcile_ledger(started_by_id=staff.pk)

    run = ReconciliationRun.objects.get(pk=run_id)
    assert (run.status, run.started_by) == ("clean", staff)
