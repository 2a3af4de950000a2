"""Channel fees, limits and who may use a channel."""

from decimal import Decimal

import pytest

from crm.configuration.models import FundingMethod
from crm.configuration.tests.factories import CountryFactory
from crm.users.tests.factories import UserFactory
from funds.errors import FundsError, FundsNotFound
from funds.models import Direction
from funds.selectors import (
    channel_check_amount,
    channel_currency_table,
    channel_fee,
    channel_get_open,
    channels_open_to,
    fee_for,
)
from funds.tests.factories import (
    ChannelCurrencyFactory,
    ChannelFactory,
    ClientSegmentFactory,
    CryptoNetworkFactory,
    currency,
)

pytestmark = pytest.mark.django_db


def usd_deposits(**fields):
    return ChannelCurrencyFactory(currency=currency("USD"), direction=Direction.DEPOSIT, **fields)


def test_fee_is_fixed_plus_percent_of_the_amount():
    row = usd_deposits(fixed_fee=Decimal("2.00"), percent_fee=Decimal("1.5"))

    fee = channel_fee(channel=row.channel, currency="USD", amount=Decimal("1000.00"), direction=Direction.DEPOSIT)

    assert fee == Decimal("17.00")
    assert str(fee) == "17.00"


@pytest.mark.parametrize(
    ("amount", "percent", "fixed", "fee"),
    [
        ("33.33", "1.5", "0", "0.50"),  # 0.49995 rounds half up
        ("33.30", "1.5", "0", "0.50"),  # 0.4995
        ("33.00", "1.5", "0", "0.50"),  # 0.495
        ("32.99", "1.5", "0", "0.49"),  # 0.49485
        ("100.00", "0", "5.00", "5.00"),
        ("0.01", "0.25", "0", "0.00"),
        ("9999999.99", "2.5", "1.00", "250001.00"),
    ],
)
def test_fee_rounds_half_up_once_at_the_end(amount, percent, fixed, fee):
    row = usd_deposits(percent_fee=Decimal(percent), fixed_fee=Decimal(fixed), max_amount=None)

    assert str(fee_for(channel_currency=row, amount=Decimal(amount))) == fee


def test_fee_of_a_six_decimal_coin():
    row = ChannelCurrencyFactory(
        channel=ChannelFactory(method=FundingMethod.CRYPTOCURRENCY),
        currency=currency("USDT"),
        direction=Direction.WITHDRAWAL,
        fixed_fee=Decimal("1"),
        percent_fee=Decimal("0.1"),
    )

    assert str(fee_for(channel_currency=row, amount=Decimal("123.456789"))) == "1.123457"


def test_fee_for_a_currency_the_channel_does_not_take_that_way():
    row = usd_deposits()

    with pytest.raises(FundsError) as refused:
        channel_fee(channel=row.channel, currency="USD", amount=Decimal("100"), direction=Direction.WITHDRAWAL)

    assert refused.value.code == "currency_not_supported"
    assert refused.value.fields == {"currency": ["This remittance method does not pay out USD withdrawals."]}


@pytest.mark.parametrize("amount", ["10.00", "10", "5000.5", "10000.00"])
def test_amounts_inside_the_limits_pass(amount):
    row = usd_deposits(min_amount=Decimal("10.00"), max_amount=Decimal("10000.00"))

    checked = channel_check_amount(
        channel=row.channel, currency="USD", amount=Decimal(amount), direction=Direction.DEPOSIT
    )

    assert checked == row


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("9.99", "amount_below_minimum", "The minimum is 10.00 USD."),
        ("10000.01", "amount_above_maximum", "The maximum is 10000.00 USD."),
        ("0", "amount_not_positive", "The amount must be greater than zero."),
        ("-10", "amount_not_positive", "The amount must be greater than zero."),
        ("10.001", "amount_too_precise", "USD amounts have at most 2 decimal places."),
    ],
)
def test_amounts_outside_the_limits_are_refused_naming_the_field(amount, code, message):
    row = usd_deposits(min_amount=Decimal("10.00"), max_amount=Decimal("10000.00"))

    with pytest.raises(FundsError) as refused:
        channel_check_amount(
            channel=row.channel,
            currency="USD",
            amount=Decimal(amount),
            direction=Direction.DEPOSIT,
            amount_field="deposit_amount",
        )

    assert (refused.value.code, refused.value.status) == (code, 400)
    assert refused.value.fields == {"deposit_amount": [message]}


def test_no_maximum_means_no_limit():
    row = usd_deposits(max_amount=None)

    channel_check_amount(channel=row.channel, currency="USD", amount=Decimal("999999999999"), direction="deposit")


@pytest.mark.parametrize(
    "make_row",
    [
        lambda: usd_deposits(is_enabled=False),
        lambda: ChannelCurrencyFactory(currency=currency("USD", is_enabled=False)),
    ],
    ids=["row disabled", "currency disabled"],
)
def test_disabled_rows_and_currencies_are_not_supported(make_row):
    row = make_row()

    with pytest.raises(FundsError) as refused:
        channel_check_amount(
            channel=row.channel,
            currency="USD",
            amount=Decimal("100"),
            direction=Direction.DEPOSIT,
            currency_field="cur",
        )

    assert refused.value.code == "currency_not_supported"
    assert list(refused.value.fields) == ["cur"]


def test_a_channel_closed_one_way_takes_nothing_that_way():
    row = usd_deposits(channel=ChannelFactory(can_deposit=False))

    with pytest.raises(FundsError) as refused:
        channel_fee(channel=row.channel, currency="USD", amount=Decimal("100"), direction=Direction.DEPOSIT)

    assert refused.value.code == "currency_not_supported"


def test_a_currency_not_set_up_for_the_method_is_not_offered():
    # CNY is for bank transfers only in the currency settings; a wire channel cannot offer it.
    cny = currency("CNY", for_international_wire_transfer=False)
    wire = ChannelFactory(method=FundingMethod.INTERNATIONAL_WIRE_TRANSFER)
    ChannelCurrencyFactory(channel=wire, currency=cny)

    assert list(channels_open_to(user=UserFactory(), direction=Direction.DEPOSIT)) == []


def test_open_channels_by_direction_country_segment_and_state():
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    client = UserFactory(country=china)
    vip = ClientSegmentFactory(members=[client])
    everyone = usd_deposits(channel=ChannelFactory(position=1)).channel
    for_china = usd_deposits(channel=ChannelFactory(position=2)).channel
    for_china.countries.add(china)
    for_vip = usd_deposits(channel=ChannelFactory(position=3)).channel
    for_vip.segments.add(vip)
    for_japan = usd_deposits(channel=ChannelFactory()).channel
    for_japan.countries.add(japan)
    for_others = usd_deposits(channel=ChannelFactory()).channel
    for_others.segments.add(ClientSegmentFactory())
    usd_deposits(channel=ChannelFactory(is_enabled=False))
    usd_deposits(channel=ChannelFactory(can_deposit=False))
    ChannelFactory()  # no currencies
    network_off = CryptoNetworkFactory(code="OFF", is_enabled=False)
    ChannelCurrencyFactory(
        channel=ChannelFactory(method=FundingMethod.CRYPTOCURRENCY, network=network_off), currency=currency("USDT")
    )
    withdrawals_only = ChannelCurrencyFactory(direction=Direction.WITHDRAWAL).channel

    assert list(channels_open_to(user=client, direction=Direction.DEPOSIT)) == [everyone, for_china, for_vip]
    assert list(channels_open_to(user=UserFactory(), direction=Direction.DEPOSIT)) == [everyone]
    assert list(channels_open_to(user=client, direction=Direction.WITHDRAWAL)) == [withdrawals_only]
    assert set(channels_open_to(user=client)) == {everyone, for_china, for_vip, withdrawals_only}


def test_open_channels_carry_the_rows_of_their_direction_in_order():
    channel = ChannelFactory()
    eur = ChannelCurrencyFactory(channel=channel, currency=currency("EUR"), position=2)
    usd = ChannelCurrencyFactory(channel=channel, currency=currency("USD"), position=1)
    ChannelCurrencyFactory(channel=channel, currency=currency("USD"), direction=Direction.WITHDRAWAL)
    ChannelCurrencyFactory(channel=channel, currency=currency("GBP"), is_enabled=False)

    (found,) = channels_open_to(user=UserFactory(), direction=Direction.DEPOSIT)

    assert found.offered_currencies == [usd, eur]


def test_getting_a_channel_not_open_to_the_user_is_404():
    channel = usd_deposits(channel=ChannelFactory(is_enabled=False)).channel

    with pytest.raises(FundsNotFound) as refused:
        channel_get_open(user=UserFactory(), channel_id=channel.pk, direction=Direction.DEPOSIT)

    assert (refused.value.code, refused.value.status) == ("channel_not_found", 404)


def test_currency_table_pairs_the_directions_of_each_currency():
    channel = ChannelFactory()
    usd_in = ChannelCurrencyFactory(channel=channel, currency=currency("USD"), position=1)
    usd_out = ChannelCurrencyFactory(channel=channel, currency=currency("USD"), direction=Direction.WITHDRAWAL)
    eur_in = ChannelCurrencyFactory(channel=channel, currency=currency("EUR"), position=2)

    table = channel_currency_table(channel=channel_get_open(user=UserFactory(), channel_id=channel.pk))

    assert table == [
        {"currency": currency("USD"), "deposit": usd_in, "withdrawal": usd_out},
        {"currency": currency("EUR"), "deposit": eur_in, "withdrawal": None},
    ]
