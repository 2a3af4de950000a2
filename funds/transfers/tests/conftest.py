"""Fixtures of the transfer tests: the withdrawal tests' (clients, staff, currencies), and two accounts
of alice on the simulated platform: `source` (5000.00) and `target` (empty)."""

import pytest

from funds.withdrawals.tests.conftest import (  # noqa: F401  (fixtures)
    _english,
    checker,
    client_api,
    client_user,
    other_user,
    security,
    staff,
    usd,
)
from funds.withdrawals.tests.helpers import funded_account


@pytest.fixture
def source(client_user, usd):
    return funded_account(client_user, "5000.00")


@pytest.fixture
def target(client_user, usd):
    return funded_account(client_user, "0")
