import pytest

from clients.trading import services
from clients.trading.passwords import trading_password_generate, trading_password_problems
from clients.trading.tests.conftest import PASSWORD, execute
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.inbox.models import Delivery
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import secrets_unseal
from crm.platforms.simulator.models import SimAccount, password_matches
from crm.platforms.tests.helpers import raw_operation_row


@pytest.mark.parametrize(
    ("password", "platform", "ok"),
    [
        ("Abcdef12", "MT5", True),
        ("Abcdefgh12345678", "MT5", True),  # 16
        ("Abcdefgh12345678", "MT4", False),  # MT4: at most 15
        ("Abcdefgh1234567", "MT4", True),
        ("Abcde12", "MT5", False),  # 7
        ("abcdefgh1", "MT5", False),  # no upper case
        ("ABCDEFGH1", "MT5", False),  # no lower case
        ("Abcdefghi", "MT5", False),  # no digit
        ("Abcd 1234", "MT5", False),  # a space
        ("Abcdé1234", "MT5", False),  # not ASCII
        ("Ab-cd_12!", "MT5", True),
    ],
)
def test_trading_password_rules(password, platform, ok):
    assert (trading_password_problems(password, platform=platform) == []) is ok


def test_generated_passwords_meet_every_platforms_rules():
    for _ in range(20):
        password = trading_password_generate()
        assert trading_password_problems(password, platform="MT4") == []


@pytest.mark.parametrize(("type", "field"), [("trade", "main_password"), ("observe", "investor_password")])
def test_a_password_change_goes_to_the_platform_and_leaves_no_copy(
    client_a, account_a, type, field, django_capture_on_commit_callbacks
):
    operation = services.trading_password_change(
        user=client_a, account_id=account_a.pk, type=type, password="New-Pass-99"
    )

    assert operation.kind == PlatformOperation.Kind.SET_PASSWORD
    assert operation.payload == {
        "login": account_a.login,
        "kind": "main" if type == "trade" else "investor",
        "password": "",
    }
    assert "New-Pass-99" not in raw_operation_row(operation.pk)
    assert secrets_unseal(operation.sealed_secrets) == {"password": "New-Pass-99"}
    assert operation.idempotency_key.startswith(f"trading-account-{account_a.pk}-password-")
    requested = AuditEntry.objects.get(action="trading_account.password_change_requested")
    assert "New-Pass-99" not in str(requested.data)

    with django_capture_on_commit_callbacks(execute=True):
        execute(operation)

    sim = SimAccount.objects.get(server=account_a.server, login=account_a.login)
    assert password_matches("New-Pass-99", getattr(sim, field))
    operation.refresh_from_db()
    assert operation.payload["password"] == ""
    assert operation.sealed_secrets == ""
    assert AuditEntry.objects.filter(action="trading_account.password_changed").count() == 1
    assert Delivery.objects.get(user=client_a).message.title_i18n["en-US"] == "Trading password changed"


def test_a_weak_password_is_refused_and_nothing_is_sent(client_a, account_a):
    with pytest.raises(ApplicationError) as caught:
        services.trading_password_change(user=client_a, account_id=account_a.pk, type="trade", password="weakpass")

    assert (caught.value.code, caught.value.status, list(caught.value.fields)) == (
        "invalid_trading_password",
        400,
        ["password"],
    )
    assert not PlatformOperation.objects.filter(kind=PlatformOperation.Kind.SET_PASSWORD).exists()
    sim = SimAccount.objects.get(server=account_a.server, login=account_a.login)
    assert password_matches(PASSWORD, sim.main_password)


def test_someone_elses_account_is_not_found(client_b, account_a):
    with pytest.raises(ApplicationError) as caught:
        services.trading_password_change(user=client_b, account_id=account_a.pk, type="trade", password="New-Pass-99")

    assert (caught.value.code, caught.value.status) == ("trading_account_not_found", 404)
    assert not PlatformOperation.objects.filter(kind=PlatformOperation.Kind.SET_PASSWORD).exists()
