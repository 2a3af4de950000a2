"""client.funding.*, client.deposit.list_channels and client.withdrawal.list_channels."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.configuration.models import FundingMethod
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

NETWORKS = "/api/v1/client/funding/list-usdt-networks"
RATE = "/api/v1/client/funding/get-exchange-rate"
RATES = "/api/v1/client/funding/list-exchange-rates"
CURRENCIES = "/api/v1/client/funding/list-currencies"
DEPOSIT_CHANNELS = "/api/v1/client/deposit/list-channels"
WITHDRAWAL_CHANNELS = "/api/v1/client/withdrawal/list-channels"
ALL = [
    (NETWORKS, {}),
    (RATE, {"from_currency": "USD", "to_currency": "USD"}),
    (RATES, {}),
    (CURRENCIES, {"remittance_id": 1}),
    (DEPOSIT_CHANNELS, {}),
    (WITHDRAWAL_CHANNELS, {}),
]
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _company_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(NOW, tick=False):
        yield


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


# --- who may ask ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "query"), ALL)
def test_login_is_required(api, path, query):
    response = api.get(path, query)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "query"), ALL)
def test_staff_have_no_client_portal(api, path, query):
    response = api.login_as(UserFactory(role="staff")).get(path, query)

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_portal_user"


@pytest.mark.django_db
def test_ibs_use_the_client_operations_too(api):
    assert ok(api.login_as(UserFactory(role="ib")).get(NETWORKS)) == {"list": [], "total": 0}


# --- list_usdt_networks ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_the_enabled_usdt_networks_in_order(user_api):
    erc20 = CryptoNetworkFactory(erc20=True, position=2)
    trc20 = CryptoNetworkFactory(position=1)
    CryptoNetworkFactory(code="BEP20", is_enabled=False)
    CryptoNetworkFactory(code="BTC", coins=["BTC"])

    body = ok(user_api.get(NETWORKS, {"page": 1, "size": 20}))

    assert body == {
        "list": [
            {
                "id": trc20.pk,
                "code": "TRC20",
                "name": "TRC-20 (Tron)",
                "confirmations": 20,
                "address_pattern": "^T[1-9A-HJ-NP-Za-km-z]{33}$",
                "address_example": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
            },
            {
                "id": erc20.pk,
                "code": "ERC20",
                "name": "ERC-20 (Ethereum)",
                "confirmations": 20,
                "address_pattern": "^0x[0-9a-fA-F]{40}$",
                "address_example": "0x742d35Cc6634C0532925a3b844Bc454e4438f44e",
            },
        ],
        "total": 2,
    }


@pytest.mark.django_db
def test_networks_are_paginated(user_api):
    CryptoNetworkFactory(position=1)
    CryptoNetworkFactory(erc20=True, position=2)

    body = ok(user_api.get(NETWORKS, {"page": 2, "size": 1}))

    assert [row["code"] for row in body["list"]] == ["ERC20"]
    assert body["total"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"page": 0}, {"size": 101}, {"page": "x"}])
def test_bad_pages_are_400(user_api, query):
    response = user_api.get(NETWORKS, query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


# --- get_exchange_rate / list_exchange_rates -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "target", "rate"),
    [("USD", "CNY", "7.2"), ("cny", "usd", "0.1388888889"), ("EUR", "EUR", "1")],
)
def test_gets_a_rate_as_a_string(user_api, source, target, rate):
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"), rate=Decimal("7.2000"))

    body = ok(user_api.get(RATE, {"from_currency": source, "to_currency": target}))

    assert body == {"exchange_rate": rate, "from_currency": source.upper(), "to_currency": target.upper()}


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["EUR", "NOPE"])
def test_an_unknown_rate_is_404(user_api, target):
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"))

    response = user_api.get(RATE, {"from_currency": "USD", "to_currency": target}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response.json() == {
        "code": "exchange_rate_not_found",
        "message": f"There is no exchange rate from USD to {target}.",
        "fields": {},
    }


@pytest.mark.django_db
def test_both_currencies_are_required(user_api):
    response = user_api.get(RATE, {"from_currency": "USD"}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json()["fields"] == {"to_currency": ["This field is required."]}


@pytest.mark.django_db
def test_lists_the_rates_between_enabled_currencies(user_api):
    usd, cny, eur = currency("USD", position=1), currency("CNY", position=2), currency("EUR", position=3)
    usd_cny = ExchangeRateFactory(from_currency=usd, to_currency=cny, rate=Decimal("7.18"))
    usd_eur = ExchangeRateFactory(from_currency=usd, to_currency=eur, rate=Decimal("0.9200"))
    ExchangeRateFactory(from_currency=usd, to_currency=currency("OLD", is_enabled=False))

    body = ok(user_api.get(RATES, {"page": 1, "size": 20}))

    assert body == {
        "list": [
            {
                "id": usd_cny.pk,
                "from_currency": "USD",
                "to_currency": "CNY",
                "exchange_rate": "7.18",
                "updated_at": "2026-03-01 12:00:00",
            },
            {
                "id": usd_eur.pk,
                "from_currency": "USD",
                "to_currency": "EUR",
                "exchange_rate": "0.92",
                "updated_at": "2026-03-01 12:00:00",
            },
        ],
        "total": 2,
    }


# --- list_currencies ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lists_a_channels_currencies_with_both_directions(user_api):
    channel = ChannelFactory()
    ChannelCurrencyFactory(
        channel=channel,
        currency=currency("USD", position=1),
        min_amount=Decimal("50"),
        max_amount=Decimal("50000"),
        fixed_fee=Decimal("0"),
    )
    ChannelCurrencyFactory(
        channel=channel,
        currency=currency("USD"),
        direction=Direction.WITHDRAWAL,
        min_amount=Decimal("100"),
        max_amount=None,
        fixed_fee=Decimal("2"),
        percent_fee=Decimal("1.5"),
    )
    ChannelCurrencyFactory(channel=channel, currency=currency("EUR", position=2), direction=Direction.WITHDRAWAL)

    body = ok(user_api.get(CURRENCIES, {"remittance_id": channel.pk, "page": 1, "size": 20}))

    assert body == {
        "list": [
            {
                "currency": "USD",
                "name": "USD",
                "symbol": "",
                "precision": 2,
                "deposit": {
                    "min_amount": "50.00",
                    "max_amount": "50000.00",
                    "fixed_fee": "0.00",
                    "percent_fee": "0",
                },
                "withdrawal": {
                    "min_amount": "100.00",
                    "max_amount": None,
                    "fixed_fee": "2.00",
                    "percent_fee": "1.5",
                },
            },
            {
                "currency": "EUR",
                "name": "EUR",
                "symbol": "",
                "precision": 2,
                "deposit": None,
                "withdrawal": {
                    "min_amount": "10.00",
                    "max_amount": "10000.00",
                    "fixed_fee": "0.00",
                    "percent_fee": "0",
                },
            },
        ],
        "total": 2,
    }
    assert ok(user_api.get(CURRENCIES, {"remittance_id": channel.pk, "page": 2, "size": 1}))["list"][0]["currency"] == (
        "EUR"
    )


@pytest.mark.django_db
def test_a_direction_the_channel_is_closed_for_shows_null(user_api):
    channel = ChannelFactory(can_withdraw=False, currencies=["USD"])

    body = ok(user_api.get(CURRENCIES, {"remittance_id": channel.pk}))

    assert body["list"][0]["deposit"] is not None
    assert body["list"][0]["withdrawal"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("make_channel", ["unknown", "disabled", "other_country"])
def test_currencies_of_a_channel_not_open_to_the_client_are_404(user_api, make_channel):
    channel = ChannelFactory(currencies=["USD"], is_enabled=make_channel != "disabled")
    if make_channel == "other_country":
        channel.countries.add(CountryFactory(code="JP"))
    remittance_id = channel.pk + 1000 if make_channel == "unknown" else channel.pk

    response = user_api.get(CURRENCIES, {"remittance_id": remittance_id}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response.json() == {
        "code": "channel_not_found",
        "message": "This remittance method is not available.",
        "fields": {"remittance_id": ["No remittance method available to you has this id."]},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"remittance_id": "x"}, {"remittance_id": 0}])
def test_currencies_need_a_remittance_id(user_api, query):
    response = user_api.get(CURRENCIES, query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["remittance_id"]


# --- list_channels --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name", "instructions"), [("zh-CN", "本地银行", "请转账"), ("en-US", "Bank", "Pay")]
)
def test_lists_deposit_channels_with_currencies_fees_and_pay_data(user_api, language, name, instructions):
    channel = ChannelFactory(
        name_i18n={"zh-CN": "本地银行", "en-US": "Bank"},
        instructions_i18n={"zh-CN": "请转账", "en-US": "Pay"},
        pay_data={"bank_name": "Demo Bank", "account_number": "6222000011112222"},
    )
    ChannelCurrencyFactory(
        channel=channel,
        currency=currency("USD", name="US Dollar", symbol="$"),
        fixed_fee=Decimal("2.00"),
        percent_fee=Decimal("1.5000"),
    )
    ChannelCurrencyFactory(channel=channel, currency=currency("USD"), direction=Direction.WITHDRAWAL)

    body = ok(user_api.get(DEPOSIT_CHANNELS, {"page": 1, "size": 20}, HTTP_X_LANGUAGE=language))

    assert body == {
        "list": [
            {
                "id": channel.pk,
                "method": "bank_transfer",
                "name": name,
                "name_i18n": {"zh-CN": "本地银行", "en-US": "Bank"},
                "provider": "manual",
                "network": None,
                "instructions": instructions,
                "instructions_i18n": {"zh-CN": "请转账", "en-US": "Pay"},
                "currencies": [
                    {
                        "currency": "USD",
                        "currency_name": "US Dollar",
                        "symbol": "$",
                        "precision": 2,
                        "min_amount": "10.00",
                        "max_amount": "10000.00",
                        "fixed_fee": "2.00",
                        "percent_fee": "1.5",
                    }
                ],
                "position": 0,
                "pay_data": {"bank_name": "Demo Bank", "account_number": "6222000011112222"},
            }
        ],
        "total": 1,
    }


@pytest.mark.django_db
def test_withdrawal_channels_show_no_pay_data_and_their_own_limits(user_api):
    channel = ChannelFactory(method=FundingMethod.CRYPTOCURRENCY, pay_data={"wallet_address": "T..."})
    ChannelCurrencyFactory(
        channel=channel,
        currency=currency("USDT"),
        direction=Direction.WITHDRAWAL,
        min_amount=Decimal("20"),
        max_amount=Decimal("50000"),
        fixed_fee=Decimal("1"),
    )
    ChannelCurrencyFactory(channel=channel, currency=currency("USDT"), direction=Direction.DEPOSIT)
    ChannelCurrencyFactory(direction=Direction.DEPOSIT)  # a deposit-only channel

    body = ok(user_api.get(WITHDRAWAL_CHANNELS))

    assert body["total"] == 1
    (row,) = body["list"]
    assert "pay_data" not in row
    assert row["method"] == "cryptocurrency"
    assert row["network"] == {
        "id": channel.network.pk,
        "code": "TRC20",
        "name": "TRC-20 (Tron)",
        "confirmations": 20,
        "address_pattern": "^T[1-9A-HJ-NP-Za-km-z]{33}$",
        "address_example": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
    }
    assert row["currencies"] == [
        {
            "currency": "USDT",
            "currency_name": "USDT",
            "symbol": "",
            "precision": 6,
            "min_amount": "20.000000",
            "max_amount": "50000.000000",
            "fixed_fee": "1.000000",
            "percent_fee": "0",
        }
    ]


@pytest.mark.django_db
def test_channels_follow_the_clients_country(api):
    china = CountryFactory(code="CN")
    for_china = ChannelFactory(currencies=["CNY"], position=1)
    for_china.countries.add(china)
    everywhere = ChannelFactory(currencies=["USD"], position=2)

    chinese = ok(api.login_as(UserFactory(country=china)).get(DEPOSIT_CHANNELS))
    other = ok(api.login_as(UserFactory(country=None)).get(DEPOSIT_CHANNELS))

    assert [row["id"] for row in chinese["list"]] == [for_china.pk, everywhere.pk]
    assert [row["id"] for row in other["list"]] == [everywhere.pk]
    assert other["total"] == 1


@pytest.mark.django_db
def test_listing_channels_takes_a_fixed_number_of_queries(user_api, django_assert_max_num_queries):
    for _ in range(5):
        ChannelFactory(method=FundingMethod.CRYPTOCURRENCY, currencies=["USDT"])

    with django_assert_max_num_queries(8):
        body = ok(user_api.get(DEPOSIT_CHANNELS))

    assert body["total"] == 5
