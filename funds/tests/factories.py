"""Factories of the funds core, shared with the deposit, withdrawal and transfer tests.

`currency("USD")` gives the currency with that code (made once per test); the factories take codes
through it, e.g. `ChannelCurrencyFactory(currency=currency("USDT", 6))`.
"""

from decimal import Decimal

import factory

from crm.configuration.models import Currency, FundingMethod
from crm.users.tests.factories import UserFactory
from funds.models import (
    Channel,
    ChannelCurrency,
    ClientSegment,
    CryptoNetwork,
    Direction,
    ExchangeRate,
    PayoutAccount,
)

TRON_PATTERN = r"^T[1-9A-HJ-NP-Za-km-z]{33}$"
ETHEREUM_PATTERN = r"^0x[0-9a-fA-F]{40}$"
TRON_ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"
ETHEREUM_ADDRESS = "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"

CRYPTO_CODES = {"USDT", "USDC", "BTC", "ETH"}


def currency(code: str, precision: int | None = None, **fields) -> Currency:
    """The currency `code`, created on first use: coins (USDT, BTC, …) for cryptocurrency only, other
    codes for both bank methods; precision 6 for USDT, 8 for BTC, 0 for JPY, 2 otherwise."""
    is_coin = code in CRYPTO_CODES
    defaults = {
        "name": code,
        "precision": precision if precision is not None else {"USDT": 6, "BTC": 8, "JPY": 0}.get(code, 2),
        "for_bank_transfer": not is_coin,
        "for_international_wire_transfer": not is_coin,
        "for_cryptocurrency": is_coin,
        **fields,
    }
    return Currency.objects.get_or_create(code=code, defaults=defaults)[0]


class CryptoNetworkFactory(factory.django.DjangoModelFactory):
    """A TRC-20-like network carrying USDT; `erc20=True` for an Ethereum-format one."""

    class Meta:
        model = CryptoNetwork
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    class Params:
        erc20 = factory.Trait(
            code="ERC20", name="ERC-20 (Ethereum)", address_pattern=ETHEREUM_PATTERN, address_example=ETHEREUM_ADDRESS
        )

    code = "TRC20"
    name = "TRC-20 (Tron)"
    address_pattern = TRON_PATTERN
    address_example = TRON_ADDRESS
    confirmations = 20

    @factory.post_generation
    def coins(network, create, extracted, **kwargs):
        if create:
            network.currencies.add(*[currency(code) for code in (extracted if extracted is not None else ["USDT"])])


class ClientSegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientSegment
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")

    @factory.post_generation
    def members(segment, create, extracted, **kwargs):
        if create and extracted:
            segment.members.add(*extracted)


class ChannelFactory(factory.django.DjangoModelFactory):
    """An enabled bank-transfer channel, both ways; `method=FundingMethod.CRYPTOCURRENCY` brings a TRC-20
    network. No currencies: add ChannelCurrencyFactory rows (or pass `currencies=[...]` of codes for
    both directions with the factory's default limits)."""

    class Meta:
        model = Channel
        skip_postgeneration_save = True

    method = FundingMethod.BANK_TRANSFER
    name_i18n = factory.Sequence(lambda n: {"zh-CN": f"渠道 {n}", "en-US": f"Channel {n}"})
    instructions_i18n = factory.LazyFunction(lambda: {"zh-CN": "请转账", "en-US": "Please transfer"})
    pay_data = factory.LazyFunction(lambda: {"bank_name": "Demo Bank", "account_number": "6222000011112222"})
    network = factory.Maybe(
        factory.LazyAttribute(lambda channel: channel.method == FundingMethod.CRYPTOCURRENCY),
        yes_declaration=factory.SubFactory(CryptoNetworkFactory),
        no_declaration=None,
    )

    @factory.post_generation
    def currencies(channel, create, extracted, **kwargs):
        if create and extracted:
            for code in extracted:
                for direction in Direction.values:
                    ChannelCurrencyFactory(channel=channel, currency=currency(code), direction=direction)


class ChannelCurrencyFactory(factory.django.DjangoModelFactory):
    """USD deposits through a new bank channel: 10.00 to 10000.00, no fee."""

    class Meta:
        model = ChannelCurrency

    channel = factory.SubFactory(ChannelFactory)
    currency = factory.LazyFunction(lambda: currency("USD"))
    direction = Direction.DEPOSIT
    min_amount = Decimal("10.00")
    max_amount = Decimal("10000.00")
    fixed_fee = Decimal("0")
    percent_fee = Decimal("0")


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    """1 USD = 7.2 CNY. Writes the row only; use `exchange_rate_set` to test history and audit."""

    class Meta:
        model = ExchangeRate

    from_currency = factory.LazyFunction(lambda: currency("USD"))
    to_currency = factory.LazyFunction(lambda: currency("CNY"))
    rate = Decimal("7.2")


def bank_transfer_info(**fields) -> dict:
    return {
        "account_holder_name": "张三",
        "bank_name": "中国工商银行",
        "account_number": "6222021001234567890",
        "branch": "上海陆家嘴支行",
        "bank_address": "",
        "country": "CN",
        **fields,
    }


def international_wire_info(**fields) -> dict:
    return {
        "account_holder_name": "Zhang San",
        "bank_name": "HSBC UK",
        "account_number": "31926819",
        "swift_code": "MIDLGB22",
        "iban": "GB29NWBK60161331926819",
        "branch": "",
        "bank_address": "8 Canada Square, London",
        "beneficiary_address": "1 Main Street, London",
        "country": "GB",
        **fields,
    }


def cryptocurrency_info(**fields) -> dict:
    return {"network": "TRC20", "wallet_address": TRON_ADDRESS, "account_holder_name": "", **fields}


class PayoutAccountFactory(factory.django.DjangoModelFactory):
    """A bank-transfer payout account; traits `wire=True`, `crypto=True` (TRC-20 wallet). Rows are written
    as given (not through the service's checks)."""

    class Meta:
        model = PayoutAccount

    class Params:
        wire = factory.Trait(
            payment_method=FundingMethod.INTERNATIONAL_WIRE_TRANSFER,
            bank_transfer_info=None,
            international_wire_info=factory.LazyFunction(international_wire_info),
            account_holder_name="Zhang San",
        )
        crypto = factory.Trait(
            payment_method=FundingMethod.CRYPTOCURRENCY,
            bank_transfer_info=None,
            network=factory.SubFactory(CryptoNetworkFactory),
            cryptocurrency_info=factory.LazyAttribute(
                lambda account: cryptocurrency_info(network=account.network.code)
            ),
            account_holder_name=factory.LazyAttribute(lambda account: account.owner.name),
        )

    owner = factory.SubFactory(UserFactory)
    payment_method = FundingMethod.BANK_TRANSFER
    bank_transfer_info = factory.LazyFunction(bank_transfer_info)
    account_holder_name = "张三"
