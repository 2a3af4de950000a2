"""Fixtures of the transfer tests: the withdrawal tests' (clients, staff, currencies, see
`funds.withdrawals.tests.fixtures`), and two accounts of alice on the simulated platform: `source`
(5000.00) and `target` (empty)."""

import pytest

from funds.withdrawals.tests.fixtures import *  # noqa: F403
from funds.withdrawals.tests.helpers import funded_account


@pytest.fixture
def source(client_user, usd):
    return funded_account(client_user, "5000.00")


@pytest.fixture
def target(client_user, usd):
    return funded_account(client_user, "0")
