"""The periodic tasks: thin wrappers around the services."""

import pytest

from funds.ledger.models import Journal
from funds.ledger.services import client_hold_account, fee_income_account, journal_post
from funds.transfers.tasks import fail_refused_transfer_legs
from funds.withdrawals.tasks import check_hold_balances, fail_refused_withdrawal_holds
from funds.withdrawals.tests.helpers import D, drain_on_platform, request_withdrawal, run_outbox

pytestmark = pytest.mark.django_db


def test_refused_holds_are_failed_by_the_task(client_user, account, bank):
    withdrawal = request_withdrawal(client_user, account, bank, "3000.00")
    drain_on_platform(account, "4000.00")
    run_outbox()

    assert fail_refused_withdrawal_holds() == 1
    assert fail_refused_withdrawal_holds() == 0
    assert fail_refused_transfer_legs() == 0
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed"


def test_the_hold_check_finds_a_hold_balance_without_holds(account, caplog):
    assert check_hold_balances() == 0
    journal_post(
        kind=Journal.Kind.ADJUSTMENT,
        lines=[
            (client_hold_account(trading_account=account), D("-5.00")),
            (fee_income_account(currency="USD"), D("5.00")),
        ],
        reference="test",
        idempotency_key="stray-hold",
    )

    assert check_hold_balances() == 1
    assert f"hold balance of trading account {account.pk}" in caplog.text
