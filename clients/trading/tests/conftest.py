"""Fixtures of the trading app's tests: clients, account types, and accounts opened through the real flow."""

from decimal import Decimal

import pytest

from clients.trading import services
from clients.trading.models import AccountApplication, TradingAccount
from clients.trading.services.snapshots import account_states_refresh
from clients.trading.tests.factories import TradingAccountTypeFactory, client_user, demo_type
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute
from crm.users.tests.factories import StaffFactory

PASSWORD = "Trade-Pass-1"
OBSERVE_PASSWORD = "Watch-Pass-2"


@pytest.fixture
def client_a(db):
    return client_user(email="alice@example.com", name="Alice Trader")


@pytest.fixture
def client_b(db):
    return client_user(email="bob@example.com", name="Bob Trader")


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def live_type(db):
    return TradingAccountTypeFactory(name_i18n={"zh-CN": "标准账户", "en-US": "Standard"})


@pytest.fixture
def demo_account_type(db):
    return demo_type()


def execute(operation: PlatformOperation) -> PlatformOperation:
    """Run an outbox operation as the worker would."""
    return platform_operation_execute(operation_id=operation.pk)


def open_account(user, account_type, *, leverage: int = 100, deposit: str | None = None) -> TradingAccount:
    """An account opened the way clients open them: apply (approved at once), then the outbox runs."""
    application = services.account_application_create(
        user=user,
        account_type_id=account_type.pk,
        trading_platform=account_type.platform,
        is_demo=account_type.is_demo,
        currency="USD",
        leverage=leverage,
        password=PASSWORD,
        observe_password=OBSERVE_PASSWORD,
    )
    assert application.status == AccountApplication.Status.APPROVED
    execute(application.operation)
    account = TradingAccount.objects.get(application=application)
    if deposit is not None:
        gateway_for(account.server).balance_operation(
            account.login, BalanceKind.DEPOSIT, Decimal(deposit), idempotency_key=f"fund-{account.pk}"
        )
        # Funded behind the outbox's back: read the figures as the beat task would.
        account_states_refresh(server=account.server, accounts=[account])
    account.refresh_from_db()
    return account


@pytest.fixture
def account_a(client_a, live_type):
    return open_account(client_a, live_type, deposit="1000.00")
