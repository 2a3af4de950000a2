"""Fixtures of the platform gateway's tests (and the simulator's)."""

import pytest

from crm.celery import app as celery_app
from crm.platforms.gateway import gateway_for
from crm.platforms.tests.factories import TradingServerFactory
from crm.users.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def sent_tasks(request, monkeypatch):
    """Tasks the services send (operation ids), recorded instead of reaching a broker.

    Tests that use `celery_eager` get the real sending, run in process.
    """
    if "celery_eager" in request.fixturenames:
        yield None
        return
    sent: list[int] = []
    monkeypatch.setattr("crm.platforms.services._send", sent.append)
    yield sent


@pytest.fixture
def celery_eager():
    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


@pytest.fixture
def server(db):
    return TradingServerFactory()


@pytest.fixture
def gateway(server):
    return gateway_for(server)


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
