"""What the ledger refuses, with stable codes.

These are programming errors of the money services more than user errors: a service that posts
an unbalanced journal has a bug. They still carry codes so a failed request is rendered (and
rolled back) like any other.
"""

from __future__ import annotations

from enum import StrEnum

from crm.errors import ApplicationError, Conflict


class LedgerErrorCode(StrEnum):
    JOURNAL_UNBALANCED = "journal_unbalanced"  # 400: a currency's entries do not sum to zero
    JOURNAL_INVALID = "journal_invalid"  # 400: fewer than two lines, a zero or too precise amount, unsaved account
    JOURNAL_IDEMPOTENCY_KEY_REUSED = "journal_idempotency_key_reused"  # 409: same key, different lines
    JOURNAL_ALREADY_REVERSED = "journal_already_reversed"  # 409


class LedgerError(ApplicationError):
    """400 unless the subclass says otherwise."""


class UnbalancedJournal(LedgerError):
    pass


class LedgerConflict(Conflict):
    pass
