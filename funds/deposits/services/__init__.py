"""Deposit workflows and demo top-ups: one function per use case (see `funds.deposits.models`).

Every transition locks the deposit (`select_for_update`), checks its state (409 otherwise), writes a
`DepositEvent` and an audit row in the same transaction. Approval is the one that moves money: in
one transaction it posts the ledger journal and enqueues the platform balance operation (idempotency
key `deposit:<id>`), so twenty staff clicking at once credit the deposit once, and a worker dying
half-way leaves an operation the outbox finishes later — never a second credit.

- `requests`: the client's draft, its submission with the receipt, cancelling;
- `decisions`: approval and rejection (staff), online payment confirmations, crediting, expiry;
- `demo_topups`: play money for demo accounts.
"""

from funds.deposits.services.decisions import (
    deposit_approve,
    deposit_on_credited,
    deposit_payment_callback,
    deposit_payment_confirm,
    deposit_reject,
    deposits_expire_drafts,
)
from funds.deposits.services.demo_topups import demo_account_fund
from funds.deposits.services.requests import deposit_cancel, deposit_draft_create, deposit_submit

__all__ = [
    "demo_account_fund",
    "deposit_approve",
    "deposit_cancel",
    "deposit_draft_create",
    "deposit_on_credited",
    "deposit_payment_callback",
    "deposit_payment_confirm",
    "deposit_reject",
    "deposit_submit",
    "deposits_expire_drafts",
]
