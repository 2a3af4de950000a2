from decimal import Decimal

import pytest

from crm.audit.models import AuditEntry
from crm.users.tests.factories import UserFactory
from funds.errors import FundsError, FundsNotFound
from funds.models import ExchangeRate, ExchangeRateHistory
from funds.selectors import convert, exchange_rate_get
from funds.services import exchange_rate_set
from funds.tests.factories import ExchangeRateFactory, currency

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role="staff")


def history() -> list[tuple]:
    return list(
        ExchangeRateHistory.objects.order_by("id").values_list(
            "exchange_rate__from_currency__code", "exchange_rate__to_currency__code", "previous_rate", "rate", "set_by"
        )
    )


def test_setting_a_rate_creates_it_with_history_and_audit(staff):
    currency("USD"), currency("CNY")

    rate = exchange_rate_set(from_currency="USD", to_currency="cny", rate=Decimal("7.18"), by=staff)

    assert (rate.from_currency.code, rate.to_currency.code, rate.rate, rate.updated_by) == (
        "USD",
        "CNY",
        Decimal("7.18"),
        staff,
    )
    assert history() == [("USD", "CNY", None, Decimal("7.18"), staff.pk)]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "exchange_rate.set", str(rate.pk))
    assert entry.data == {"from_currency": "USD", "to_currency": "CNY", "previous_rate": None, "rate": "7.18"}


def test_changing_a_rate_keeps_the_previous_value(staff):
    first = exchange_rate_set(from_currency=currency("USD"), to_currency=currency("CNY"), rate=Decimal("7.18"), by=None)

    second = exchange_rate_set(from_currency="USD", to_currency="CNY", rate=Decimal("7.2035"), by=staff)

    assert second.pk == first.pk
    assert ExchangeRate.objects.get().rate == Decimal("7.2035")
    assert history() == [
        ("USD", "CNY", None, Decimal("7.18"), None),
        ("USD", "CNY", Decimal("7.18"), Decimal("7.2035"), staff.pk),
    ]
    assert AuditEntry.objects.filter(action="exchange_rate.set").count() == 2


def test_setting_the_same_value_again_changes_nothing(staff):
    exchange_rate_set(from_currency=currency("USD"), to_currency=currency("CNY"), rate=Decimal("7.18"), by=staff)

    exchange_rate_set(from_currency="USD", to_currency="CNY", rate=Decimal("7.1800"), by=staff)

    assert len(history()) == 1
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("source", "target", "rate", "field"),
    [
        ("USD", "USD", "1", "to_currency"),
        ("USD", "CNY", "0", "rate"),
        ("USD", "CNY", "-7.1", "rate"),
        ("USD", "CNY", "7.12345678901", "rate"),
        ("USD", "CNY", "12345678901", "rate"),
    ],
)
def test_bad_rates_are_refused_and_nothing_is_written(staff, source, target, rate, field):
    currency("USD"), currency("CNY")

    with pytest.raises(FundsError) as refused:
        exchange_rate_set(from_currency=source, to_currency=target, rate=Decimal(rate), by=staff)

    assert refused.value.code == "invalid_exchange_rate"
    assert list(refused.value.fields) == [field]
    assert not ExchangeRate.objects.exists()
    assert not AuditEntry.objects.exists()


def test_setting_a_rate_of_an_unknown_currency_is_404(staff):
    currency("USD")

    with pytest.raises(FundsNotFound) as refused:
        exchange_rate_set(from_currency="USD", to_currency="XYZ", rate=Decimal("1"), by=staff)

    assert refused.value.code == "currency_not_found"


def test_rate_of_a_set_pair_its_reverse_and_identity():
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"), rate=Decimal("7.2"))

    assert exchange_rate_get(from_currency="USD", to_currency="CNY") == Decimal("7.2")
    assert exchange_rate_get(from_currency="cny", to_currency="usd") == Decimal("0.1388888889")
    assert exchange_rate_get(from_currency="EUR", to_currency="EUR") == Decimal(1)


def test_a_set_pair_wins_over_the_inverse_of_its_reverse():
    ExchangeRateFactory(from_currency=currency("EUR"), to_currency=currency("USD"), rate=Decimal("1.087"))
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("EUR"), rate=Decimal("0.92"))

    assert exchange_rate_get(from_currency="USD", to_currency="EUR") == Decimal("0.92")
    assert exchange_rate_get(from_currency="EUR", to_currency="USD") == Decimal("1.087")


def test_unknown_pairs_are_404():
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"))

    with pytest.raises(FundsNotFound) as refused:
        exchange_rate_get(from_currency="USD", to_currency="EUR")

    assert (refused.value.code, refused.value.status) == ("exchange_rate_not_found", 404)
    assert refused.value.message == "There is no exchange rate from USD to EUR."


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        ("1000.00", "USD", "CNY", "7200.00"),
        ("0.01", "USD", "CNY", "0.07"),  # 0.072
        ("1000.00", "CNY", "USD", "138.89"),  # × 0.1388888889
        ("7200.00", "CNY", "USD", "1000.00"),  # 999.99999... rounds back
        ("123.45", "USD", "USD", "123.45"),
        ("100.00", "USD", "USDT", "100.000000"),
        ("100.005", "USDT", "JPY", "15052"),  # 100.005 × 150.51 = 15051.75255
    ],
)
def test_convert_is_exact_and_rounds_half_up_to_the_target(amount, source, target, expected):
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("CNY"), rate=Decimal("7.2"))
    ExchangeRateFactory(from_currency=currency("USD"), to_currency=currency("USDT"), rate=Decimal("1"))
    ExchangeRateFactory(from_currency=currency("USDT"), to_currency=currency("JPY"), rate=Decimal("150.51"))

    converted = convert(amount=Decimal(amount), from_currency=source, to_currency=target)

    assert str(converted) == expected


def test_convert_refuses_floats():
    currency("USD")

    with pytest.raises(TypeError):
        convert(amount=10.0, from_currency="USD", to_currency="USD")
