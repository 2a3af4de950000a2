from decimal import Decimal

import pytest

from crm.audit.models import AuditEntry
from crm.configuration.demo import load_demo_data as load_configuration_demo
from crm.configuration.models import FundingMethod
from crm.users.tests.factories import UserFactory
from funds.demo import load_demo_data
from funds.models import Channel, ChannelCurrency, CryptoNetwork, ExchangeRate, ExchangeRateHistory
from funds.selectors import channel_fee, channels_open_to, convert, exchange_rate_get
from funds.tests.factories import (
    ChannelCurrencyFactory,
    ChannelFactory,
    ClientSegmentFactory,
    CryptoNetworkFactory,
    ExchangeRateFactory,
    PayoutAccountFactory,
    currency,
)

pytestmark = pytest.mark.django_db


def test_demo_data_loads_once_and_is_valid():
    load_configuration_demo()
    load_demo_data()
    load_demo_data()

    assert Channel.objects.count() == 4
    assert ChannelCurrency.objects.count() == 12
    assert sorted(CryptoNetwork.objects.values_list("code", flat=True)) == ["ERC20", "TRC20"]
    assert ExchangeRateHistory.objects.count() == ExchangeRate.objects.count() == 5
    for row in [*Channel.objects.all(), *ChannelCurrency.objects.all(), *CryptoNetwork.objects.all()]:
        row.full_clean()
    client = UserFactory()
    assert len(channels_open_to(user=client, direction="deposit")) == 4
    assert len(channels_open_to(user=client, direction="withdrawal")) == 4
    wire = Channel.objects.get(method=FundingMethod.INTERNATIONAL_WIRE_TRANSFER)
    assert channel_fee(channel=wire, currency="USD", amount=Decimal("1000.00"), direction="withdrawal") == Decimal(
        "31.00"
    )
    assert exchange_rate_get(from_currency="USD", to_currency="USDT") == Decimal(1)
    assert convert(amount=Decimal("100.00"), from_currency="CNY", to_currency="USD") == Decimal("13.93")


def test_demo_data_leaves_a_rate_staff_changed():
    load_configuration_demo()
    load_demo_data()
    ExchangeRate.objects.filter(from_currency__code="USD", to_currency__code="CNY").update(rate=Decimal("7.3"))

    load_demo_data()

    assert exchange_rate_get(from_currency="USD", to_currency="CNY") == Decimal("7.3")


@pytest.fixture
def staff(client):
    user = UserFactory(role="staff", is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("channel", {"q": "Bank", "method": "bank_transfer", "is_enabled__exact": "1"}),
        ("channel", {"q": "USD"}),
        ("cryptonetwork", {"q": "TRC", "is_enabled__exact": "1"}),
        ("clientsegment", {"q": "vip"}),
        ("exchangerate", {"q": "USD"}),
        ("payoutaccount", {"q": "owner@example.com", "payment_method": "bank_transfer", "is_deleted__exact": "0"}),
    ],
)
def test_admin_lists_filter_and_search(staff, model, query):
    channel = ChannelFactory(name_i18n={"en-US": "Bank"})
    ChannelCurrencyFactory(channel=channel)
    ChannelCurrencyFactory(channel=channel, direction="withdrawal")
    ChannelFactory(method=FundingMethod.CRYPTOCURRENCY, name_i18n={"en-US": "Coins"})
    ClientSegmentFactory(code="vip", name="VIP", members=[UserFactory()])
    ExchangeRateFactory()
    PayoutAccountFactory(owner=UserFactory(email="owner@example.com"))
    PayoutAccountFactory(crypto=True)

    listed = staff.get(f"/admin/funds/{model}/")
    found = staff.get(f"/admin/funds/{model}/", query)

    assert listed.status_code == found.status_code == 200
    assert found.context["cl"].result_count == 1


def test_admin_adds_a_channel_with_its_currencies_and_audits_it(staff):
    usd = currency("USD")

    response = staff.post(
        "/admin/funds/channel/add/",
        {
            "method": "bank_transfer",
            "name_i18n": '{"zh-CN": "银行", "en-US": "Bank"}',
            "provider": "manual",
            "is_enabled": "on",
            "position": "0",
            "can_deposit": "on",
            "can_withdraw": "on",
            "instructions_i18n": "{}",
            "pay_data": '{"bank_name": "ICBC"}',
            "currencies-TOTAL_FORMS": "1",
            "currencies-INITIAL_FORMS": "0",
            "currencies-0-currency": str(usd.pk),
            "currencies-0-direction": "deposit",
            "currencies-0-min_amount": "10.00",
            "currencies-0-max_amount": "1000.00",
            "currencies-0-fixed_fee": "2.00",
            "currencies-0-percent_fee": "1.5",
            "currencies-0-is_enabled": "on",
            "currencies-0-position": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    channel = Channel.objects.get()
    assert channel.currencies.get().fixed_fee == Decimal("2.00")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (staff.user, "channel.created")


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"currencies-0-min_amount": "10.001"}, "USD amounts have at most 2 decimal places."),
        ({"currencies-0-max_amount": "5.00"}, "The maximum must not be below the minimum."),
        ({"currencies-0-currency": "USDT"}, "USDT is not set up for Bank transfer (see the currency's settings)."),
    ],
)
def test_admin_refuses_bad_currency_rows(staff, row, error):
    currency("USD"), currency("USDT")
    row = {key: str(currency(value).pk) if key.endswith("currency") else value for key, value in row.items()}

    response = staff.post(
        "/admin/funds/channel/add/",
        {
            "method": "bank_transfer",
            "name_i18n": '{"en-US": "Bank"}',
            "provider": "manual",
            "position": "0",
            "instructions_i18n": "{}",
            "pay_data": "{}",
            "currencies-TOTAL_FORMS": "1",
            "currencies-INITIAL_FORMS": "0",
            "currencies-0-currency": str(currency("USD").pk),
            "currencies-0-direction": "deposit",
            "currencies-0-min_amount": "10.00",
            "currencies-0-fixed_fee": "0",
            "currencies-0-percent_fee": "0",
            "currencies-0-position": "0",
            **row,
        },
        HTTP_X_LANGUAGE="en-US",
    )

    assert response.status_code == 200
    (errors,) = response.context["inline_admin_formsets"][0].formset.errors
    assert error in [message for messages in errors.values() for message in messages]
    assert not Channel.objects.exists()


def test_admin_refuses_a_crypto_channel_without_network(staff):
    response = staff.post(
        "/admin/funds/channel/add/",
        {
            "method": "cryptocurrency",
            "name_i18n": '{"en-US": "Coins"}',
            "provider": "manual",
            "position": "0",
            "instructions_i18n": "{}",
            "pay_data": "{}",
            "currencies-TOTAL_FORMS": "0",
            "currencies-INITIAL_FORMS": "0",
        },
        HTTP_X_LANGUAGE="en-US",
    )

    assert response.status_code == 200
    assert "A cryptocurrency channel needs its network." in response.content.decode()


def test_admin_sets_rates_through_the_service_with_history(staff):
    usd, cny = currency("USD"), currency("CNY")

    added = staff.post(
        "/admin/funds/exchangerate/add/",
        {
            "from_currency": usd.pk,
            "to_currency": cny.pk,
            "rate": "7.18",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )
    rate = ExchangeRate.objects.get()
    changed = staff.post(
        f"/admin/funds/exchangerate/{rate.pk}/change/",
        {"rate": "7.2", "history-TOTAL_FORMS": "1", "history-INITIAL_FORMS": "1"},
    )

    assert added.status_code == changed.status_code == 302
    rate.refresh_from_db()
    assert (rate.rate, rate.updated_by) == (Decimal("7.2"), staff.user)
    assert list(ExchangeRateHistory.objects.order_by("id").values_list("previous_rate", "rate")) == [
        (None, Decimal("7.18")),
        (Decimal("7.18"), Decimal("7.2")),
    ]
    assert AuditEntry.objects.filter(action="exchange_rate.set").count() == 2
    assert staff.get(f"/admin/funds/exchangerate/{rate.pk}/delete/").status_code == 403


def test_admin_refuses_a_rate_between_one_currency(staff):
    usd = currency("USD")

    response = staff.post(
        "/admin/funds/exchangerate/add/",
        {
            "from_currency": usd.pk,
            "to_currency": usd.pk,
            "rate": "1",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
        HTTP_X_LANGUAGE="en-US",
    )

    assert response.status_code == 200
    assert "A rate is between two different currencies." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_payout_accounts_are_read_only_in_the_admin(staff):
    account = PayoutAccountFactory()

    assert staff.get(f"/admin/funds/payoutaccount/{account.pk}/change/").status_code == 200
    assert staff.get("/admin/funds/payoutaccount/add/").status_code == 403
    assert staff.get(f"/admin/funds/payoutaccount/{account.pk}/delete/").status_code == 403
    staff.post(f"/admin/funds/payoutaccount/{account.pk}/change/", {"remark": "changed"})
    account.refresh_from_db()
    assert account.remark == ""


def test_network_example_must_match_its_pattern():
    network = CryptoNetworkFactory.build(address_example="0x1234")

    with pytest.raises(Exception, match="does not match"):
        network.clean()
