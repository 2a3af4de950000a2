"""Demo channels, crypto networks and exchange rates, so a fresh install's deposit and withdrawal pages
have something to offer.

The limits, fees and rates are made-up demo values of plausible size, not market data. Needs the
currencies of `crm.configuration.demo` (the demo command loads that first). `load_demo_data()` may run
any number of times: networks are found by code, channels by method and English name, rates by
pair; a rate staff changed is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from crm.configuration.models import Currency, FundingMethod
from funds.models import Channel, ChannelCurrency, CryptoNetwork, Direction, ExchangeRate
from funds.services import exchange_rate_set

TRON_ADDRESS = r"^T[1-9A-HJ-NP-Za-km-z]{33}$"
ETHEREUM_ADDRESS = r"^0x[0-9a-fA-F]{40}$"

NETWORKS = [
    {
        "code": "TRC20",
        "name": "TRC-20 (Tron)",
        "address_pattern": TRON_ADDRESS,
        "address_example": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
        "confirmations": 20,
        "position": 1,
    },
    {
        "code": "ERC20",
        "name": "ERC-20 (Ethereum)",
        "address_pattern": ETHEREUM_ADDRESS,
        "address_example": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e",
        "confirmations": 12,
        "position": 2,
    },
]


def limits(minimum: str, maximum: str | None, fixed: str = "0", percent: str = "0") -> dict:
    return {
        "min_amount": Decimal(minimum),
        "max_amount": None if maximum is None else Decimal(maximum),
        "fixed_fee": Decimal(fixed),
        "percent_fee": Decimal(percent),
    }


# Each channel: its fields, and {(currency, direction): limits}.
CHANNELS = [
    (
        {
            "method": FundingMethod.BANK_TRANSFER,
            "name_i18n": {"zh-CN": "本地银行转账", "en-US": "Local bank transfer"},
            "instructions_i18n": {
                "zh-CN": "请从本人名下账户转账,并在附言中填写订单号;到账后上传转账凭证。",
                "en-US": "Transfer from an account in your own name with the order number as the reference, "
                "then upload the receipt.",
            },
            "pay_data": {
                "bank_name": "中国工商银行上海分行",
                "account_name": "演示经纪商有限公司",
                "account_number": "6222 0210 0123 4567 890",
                "branch": "上海陆家嘴支行",
            },
            "position": 1,
        },
        {
            ("CNY", Direction.DEPOSIT): limits("100.00", "500000.00"),
            ("CNY", Direction.WITHDRAWAL): limits("100.00", "200000.00", fixed="0.00", percent="0.5"),
            ("USD", Direction.DEPOSIT): limits("50.00", "50000.00"),
            ("USD", Direction.WITHDRAWAL): limits("50.00", "30000.00", fixed="5.00"),
        },
    ),
    (
        {
            "method": FundingMethod.INTERNATIONAL_WIRE_TRANSFER,
            "name_i18n": {"zh-CN": "国际电汇", "en-US": "International wire transfer"},
            "instructions_i18n": {
                "zh-CN": "电汇通常需要 1–3 个工作日到账,中转行费用由汇款人承担。",
                "en-US": "Wires usually arrive in 1–3 business days; intermediary bank charges are yours.",
            },
            "pay_data": {
                "bank_name": "Bank of China (Hong Kong) Limited",
                "account_name": "Demo Broker Limited",
                "account_number": "012-875-0-012345-6",
                "swift_code": "BKCHHKHHXXX",
                "bank_address": "1 Garden Road, Central, Hong Kong",
            },
            "position": 2,
        },
        {
            ("USD", Direction.DEPOSIT): limits("500.00", "1000000.00", fixed="25.00"),
            ("USD", Direction.WITHDRAWAL): limits("200.00", "500000.00", fixed="30.00", percent="0.1"),
            ("EUR", Direction.DEPOSIT): limits("500.00", "1000000.00", fixed="20.00"),
            ("EUR", Direction.WITHDRAWAL): limits("200.00", "500000.00", fixed="25.00", percent="0.1"),
        },
    ),
    (
        {
            "method": FundingMethod.CRYPTOCURRENCY,
            "network_code": "TRC20",
            "name_i18n": {"zh-CN": "USDT (TRC-20)", "en-US": "USDT (TRC-20)"},
            "instructions_i18n": {
                "zh-CN": "仅支持 TRC-20 网络的 USDT,转错网络的资产无法找回。",
                "en-US": "USDT on the TRC-20 network only; coins sent on another network are lost.",
            },
            "pay_data": {"network": "TRC20", "wallet_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"},
            "position": 3,
        },
        {
            ("USDT", Direction.DEPOSIT): limits("10", "100000"),
            ("USDT", Direction.WITHDRAWAL): limits("20", "50000", fixed="1"),
        },
    ),
    (
        {
            "method": FundingMethod.CRYPTOCURRENCY,
            "network_code": "ERC20",
            "name_i18n": {"zh-CN": "USDT (ERC-20)", "en-US": "USDT (ERC-20)"},
            "instructions_i18n": {
                "zh-CN": "仅支持 ERC-20 网络的 USDT;以太坊网络手续费较高,建议大额使用。",
                "en-US": "USDT on the ERC-20 network only; Ethereum fees are high, so it suits larger amounts.",
            },
            "pay_data": {"network": "ERC20", "wallet_address": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e"},
            "position": 4,
        },
        {
            ("USDT", Direction.DEPOSIT): limits("50", "200000"),
            ("USDT", Direction.WITHDRAWAL): limits("50", "100000", fixed="10"),
        },
    ),
]

# Demo values, not market data: 1 from = rate to.
RATES = [
    ("USD", "CNY", "7.1800"),
    ("USD", "EUR", "0.9200"),
    ("EUR", "USD", "1.0870"),
    ("USD", "USDT", "1"),
    ("EUR", "CNY", "7.8000"),
]


@transaction.atomic
def load_demo_data() -> None:
    currencies = {currency.code: currency for currency in Currency.objects.all()}
    networks = {}
    for row in NETWORKS:
        network, _created = CryptoNetwork.objects.get_or_create(code=row["code"], defaults=row)
        if "USDT" in currencies:
            network.currencies.add(currencies["USDT"])
        networks[network.code] = network

    for fields, rows in CHANNELS:
        fields = dict(fields)
        network_code = fields.pop("network_code", None)
        channel = Channel.objects.filter(
            method=fields["method"], **{"name_i18n__en-US": fields["name_i18n"]["en-US"]}
        ).first()
        if channel is None:
            channel = Channel.objects.create(network=networks.get(network_code), **fields)
        for position, ((code, direction), values) in enumerate(rows.items()):
            if code in currencies:
                ChannelCurrency.objects.get_or_create(
                    channel=channel,
                    currency=currencies[code],
                    direction=direction,
                    defaults={**values, "position": position},
                )

    for source, target, rate in RATES:
        if source in currencies and target in currencies:
            pair = {"from_currency": currencies[source], "to_currency": currencies[target]}
            if not ExchangeRate.objects.filter(**pair).exists():
                exchange_rate_set(**pair, rate=Decimal(rate), by=None)
