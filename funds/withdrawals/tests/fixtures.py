"""Fixtures of the withdrawal tests (the transfer tests use them too, through `import *`).

- `client_user` (alice) with `account`: a live USD account funded with 5000.00 through the ledger;
- `bank`: a USD bank-transfer channel for withdrawals, 10.00–20000.00, fee 5.00 + 1 %;
- `cny_bank`: a CNY bank-transfer channel for withdrawals (1 USD = 7.2 CNY), 100.00–1000000.00, no fee;
- `crypto`: a USDT (TRC-20) channel for withdrawals, 1 USD = 1 USDT, fee 1.000000.
"""

from decimal import Decimal

import pytest
from django.utils import translation

from crm.configuration.models import FundingMethod, SecuritySettings
from crm.configuration.tests.factories import CountryFactory
from crm.users.tests.factories import UserFactory
from funds.models import Direction
from funds.tests.factories import (
    ChannelCurrencyFactory,
    ChannelFactory,
    CryptoNetworkFactory,
    ExchangeRateFactory,
    currency,
)
from funds.withdrawals.tests.helpers import funded_account

D = Decimal


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def usd(db):
    # The countries the payout details name.
    for code in ("CN", "GB"):
        CountryFactory(code=code)
    return currency("USD")


@pytest.fixture
def client_user(db):
    return UserFactory(email="alice@example.com", name="Alice Trader")


@pytest.fixture
def other_user(db):
    return UserFactory(email="bob@example.com", name="Bob Trader")


@pytest.fixture
def account(client_user, usd):
    return funded_account(client_user, "5000.00")


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", is_superuser=True, email="finance@broker.example")


@pytest.fixture
def checker(db):
    return UserFactory(role="staff", is_superuser=True, email="checker@broker.example")


def withdrawal_channel(*, code: str = "USD", method: str = FundingMethod.BANK_TRANSFER, **limits):
    channel = ChannelFactory(
        method=method, can_deposit=False, name_i18n={"zh-CN": f"出金 {code}", "en-US": f"Withdrawal {code}"}
    )
    ChannelCurrencyFactory(channel=channel, currency=currency(code), direction=Direction.WITHDRAWAL, **limits)
    return channel


@pytest.fixture
def bank(usd):
    return withdrawal_channel(min_amount=D("10.00"), max_amount=D("20000.00"), fixed_fee=D("5.00"), percent_fee=D("1"))


@pytest.fixture
def cny_bank(usd):
    ExchangeRateFactory(from_currency=usd, to_currency=currency("CNY"), rate=D("7.2"))
    return withdrawal_channel(code="CNY", min_amount=D("100.00"), max_amount=D("1000000.00"))


@pytest.fixture
def crypto(usd):
    CryptoNetworkFactory()
    ExchangeRateFactory(from_currency=usd, to_currency=currency("USDT"), rate=D("1"))
    return withdrawal_channel(
        code="USDT", method=FundingMethod.CRYPTOCURRENCY, min_amount=D("10"), max_amount=None, fixed_fee=D("1")
    )


@pytest.fixture
def security(db):
    return SecuritySettings.load()


@pytest.fixture
def client_api(api, client_user):
    api.defaults["HTTP_X_LANGUAGE"] = "en-US"
    return api.login_as(client_user)
