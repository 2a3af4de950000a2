"""Fixtures of the withdrawal tests: see `funds.withdrawals.tests.fixtures` (shared with the transfer tests)."""

from funds.withdrawals.tests.fixtures import *  # noqa: F403
