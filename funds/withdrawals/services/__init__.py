"""Withdrawal workflows: one function per use case (see `funds.withdrawals.models`).

The request moves money at once: in one transaction, with the trading account's row locked, it
creates the withdrawal, posts the hold journal (client_trading → client_hold) and enqueues the
platform `withdrawal` operation (idempotency key `withdrawal:<id>:hold`). The free-margin check
happens under that lock (`funds.withdrawals.holds`), so concurrent requests never hold more than
the account has.

Every later transition locks the withdrawal (`select_for_update`), checks its state (409
otherwise), and writes a `WithdrawalEvent` and an audit row in the same transaction. Locks are
taken in one order everywhere: platform operation (the outbox's callbacks) → withdrawal → hold.

- `requests`: the client's request and cancelling it;
- `decisions`: staff approve (maker-checker), mark paid, reject, mark failed;
- `platform`: the platform's answers to the hold.

The outbox finds `withdrawal_on_hold_applied` by its path in this package, so it stays exported here.
"""

from funds.withdrawals.services.common import withdrawal_settings_get
from funds.withdrawals.services.decisions import (
    withdrawal_approve,
    withdrawal_fail,
    withdrawal_mark_paid,
    withdrawal_reject,
)
from funds.withdrawals.services.platform import withdrawal_on_hold_applied, withdrawals_fail_refused_holds
from funds.withdrawals.services.requests import withdrawal_cancel, withdrawal_request

__all__ = [
    "withdrawal_approve",
    "withdrawal_cancel",
    "withdrawal_fail",
    "withdrawal_mark_paid",
    "withdrawal_on_hold_applied",
    "withdrawal_reject",
    "withdrawal_request",
    "withdrawal_settings_get",
    "withdrawals_fail_refused_holds",
]
