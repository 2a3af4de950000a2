"""Celery tasks of withdrawals: thin, idempotent, time-limited."""

from __future__ import annotations

import logging

from celery import shared_task

from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.services import withdrawals_fail_refused_holds

logger = logging.getLogger(__name__)


@shared_task(name="funds.withdrawals.tasks.fail_refused_withdrawal_holds", time_limit=300, soft_time_limit=240)
def fail_refused_withdrawal_holds() -> int:
    """Every minute (crm/celery.py): withdrawals whose hold the platform refused for good fail and give
    the hold back."""
    return len(withdrawals_fail_refused_holds())


@shared_task(name="funds.withdrawals.tasks.check_hold_balances", time_limit=600, soft_time_limit=540)
def check_hold_balances() -> int:
    """Nightly, next to the ledger's reconciliation (which checks client_trading against the platforms, hold
    operations in flight included): every client_hold balance must be the sum of its open holds."""
    differences = hold_differences()
    for difference in differences:
        logger.error(
            "hold balance of trading account %s: ledger %s, holds %s",
            difference.trading_account_id,
            difference.ledger_balance,
            difference.expected,
        )
    return len(differences)
