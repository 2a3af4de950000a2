import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from crm.platforms.errors import PlatformError, PlatformRejected, PlatformTimeout, PlatformUnavailable
from crm.platforms.gateway import adapter_choices, gateway_for
from crm.platforms.simulator.adapter import SimulatorGateway
from crm.platforms.tests.factories import TradingServerFactory
from crm.redaction import REDACTED, redacted, unredacted


def test_a_server_gets_the_gateway_of_its_adapter(server):
    gateway = gateway_for(server)

    assert isinstance(gateway, SimulatorGateway)
    assert gateway.server == server
    assert ("simulator", "simulator") in adapter_choices()


def test_a_disabled_server_is_unavailable(db):
    server = TradingServerFactory(is_enabled=False)

    with pytest.raises(PlatformUnavailable) as unavailable:
        gateway_for(server)

    assert unavailable.value.code == "trading_server_disabled"


def test_an_adapter_that_is_not_installed_is_unavailable(db):
    server = TradingServerFactory.build(adapter="mt5_web_api")

    with pytest.raises(PlatformUnavailable) as unavailable:
        gateway_for(server)

    assert unavailable.value.code == "platform_unavailable"
    with pytest.raises(ValidationError) as invalid:
        server.full_clean()
    assert "adapter" in invalid.value.message_dict


def test_login_ranges_go_upwards(db):
    with pytest.raises(IntegrityError):
        TradingServerFactory(login_range_start=600000, login_range_end=500000)


def test_errors_say_whether_retrying_can_help():
    timeout, unavailable = PlatformTimeout(), PlatformUnavailable()
    rejected = PlatformRejected(code="insufficient_free_margin", message="Not enough free margin.")

    assert (timeout.code, timeout.status, timeout.is_transient) == ("platform_timeout", 504, True)
    assert (unavailable.code, unavailable.status, unavailable.is_transient) == ("platform_unavailable", 503, True)
    assert (rejected.code, rejected.status, rejected.is_transient) == ("insufficient_free_margin", 400, False)
    assert all(isinstance(error, PlatformError) for error in (timeout, unavailable, rejected))


def test_secrets_are_masked_at_any_depth_and_kept_when_left_masked():
    stored = {"host": "h", "manager_password": "p1", "api": {"api_key": "k", "port": 443}, "token": ""}

    shown = redacted(stored)
    edited = {**shown, "host": "h2", "api": {**shown["api"], "port": 8443}}

    assert shown == {"host": "h", "manager_password": REDACTED, "api": {"api_key": REDACTED, "port": 443}, "token": ""}
    assert unredacted(edited, stored) == {
        "host": "h2",
        "manager_password": "p1",
        "api": {"api_key": "k", "port": 8443},
        "token": "",
    }
