"""Fixtures of the platform gateway's tests (and the simulator's)."""

import pytest

from crm.platforms.gateway import gateway_for
from crm.platforms.tests.factories import TradingServerFactory
from crm.users.tests.factories import StaffFactory


@pytest.fixture
def server(db):
    return TradingServerFactory()


@pytest.fixture
def gateway(server):
    return gateway_for(server)


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
