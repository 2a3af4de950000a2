"""Transfer workflows: one function per use case (see `funds.transfers.models`).

The request holds the money on the source at once (the out leg), in one transaction with both
trading accounts locked in pk order; the free-margin check is the withdrawals' (see
`funds.withdrawals.holds`). The in leg is booked and enqueued when both the approval and the
platform's answer to the out leg are in, whichever comes last. Locks are taken in one order
everywhere: platform operation (the outbox's callbacks) → transfer → hold.

- `requests`: the client's request (approved at once below the company's amount);
- `decisions`: staff approve or reject, and the in leg that follows an approval;
- `platform`: the platform's answers to both legs, and the sweep of refused ones.

The outbox finds `transfer_on_out_applied` and `transfer_on_in_applied` by their paths in this
package, so they stay exported here.
"""

from funds.transfers.services.common import transfer_settings_get
from funds.transfers.services.decisions import transfer_approve, transfer_reject
from funds.transfers.services.platform import (
    transfer_on_in_applied,
    transfer_on_out_applied,
    transfers_fail_refused_legs,
)
from funds.transfers.services.requests import transfer_request

__all__ = [
    "transfer_approve",
    "transfer_on_in_applied",
    "transfer_on_out_applied",
    "transfer_reject",
    "transfer_request",
    "transfer_settings_get",
    "transfers_fail_refused_legs",
]
