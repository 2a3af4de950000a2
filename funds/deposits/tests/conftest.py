"""Fixtures of the deposit tests: a client with a live account on the simulated platform, and channels.

- `bank`: manual bank transfer in USD, 10.00–10000.00, fee 1.00 + 0.5 %;
- `cny_bank`: manual bank transfer in CNY only (1 USD = 7.2 CNY), no fee;
- `online`: the simulated online provider, USD, no fee.
"""

from decimal import Decimal

import pytest

from crm.configuration.models import FundingMethod
from crm.files.models import StoredFile
from crm.files.services import private_url
from crm.files.tests.factories import StoredFileFactory
from crm.users.tests.factories import UserFactory
from funds.deposits import services
from funds.deposits.models import Deposit
from funds.ledger.tests.factories import platform_account
from funds.models import Direction
from funds.tests.factories import ChannelCurrencyFactory, ChannelFactory, ExchangeRateFactory, currency

D = Decimal


@pytest.fixture(autouse=True)
def _funds_settings(settings):
    settings.PORTAL_URL = "https://crm.example"
    settings.PAYMENT_SIMULATOR_ENABLED = True
    settings.PAYMENT_SIMULATOR_SECRET = "simulator-secret"
    settings.DEMO_TOPUP_MAX_AMOUNT = D("10000")
    settings.DEMO_ACCOUNT_MAX_BALANCE = D("50000")


@pytest.fixture
def usd(db):
    return currency("USD")


@pytest.fixture
def client_user(db):
    return UserFactory(email="alice@example.com", name="Alice Trader")


@pytest.fixture
def other_user(db):
    return UserFactory(email="bob@example.com", name="Bob Trader")


@pytest.fixture
def account(client_user, usd):
    return platform_account(user=client_user)


@pytest.fixture
def demo_account(client_user, usd):
    return platform_account(user=client_user, is_demo=True, balance="1000.00")


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", is_superuser=True, email="finance@broker.example", language="en-US")


def channel(*, code: str = "USD", provider: str = "manual", **limits):
    channel = ChannelFactory(
        method=FundingMethod.BANK_TRANSFER,
        provider=provider,
        name_i18n={"zh-CN": f"银行转账 {code}", "en-US": f"Bank transfer {code}"},
    )
    ChannelCurrencyFactory(channel=channel, currency=currency(code), direction=Direction.DEPOSIT, **limits)
    return channel


@pytest.fixture
def bank(usd):
    return channel(fixed_fee=D("1.00"), percent_fee=D("0.5"))


@pytest.fixture
def cny_bank(usd):
    ExchangeRateFactory(from_currency=usd, to_currency=currency("CNY"), rate=D("7.2"))
    return channel(code="CNY", min_amount=D("100.00"), max_amount=D("100000.00"))


@pytest.fixture
def online(usd):
    return channel(provider="simulated")


@pytest.fixture
def client_api(api, client_user):
    return api.login_as(client_user)


def draft(user, account, channel, amount: str = "1000.00", remark: str = "") -> Deposit:
    return services.deposit_draft_create(
        user=user, trading_account_id=account.pk, channel_id=channel.pk, deposit_amount=D(amount), remark=remark
    )


def receipt_of(user) -> StoredFile:
    return StoredFileFactory(owner=user, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT, original_name="receipt.png")


def receipt_url(user) -> str:
    return private_url(stored_file=receipt_of(user))


def submitted(user, account, channel, amount: str = "1000.00") -> Deposit:
    deposit = draft(user, account, channel, amount)
    return services.deposit_submit(user=user, order_number=deposit.order_number, receipt_url=receipt_url(user))
