from decimal import Decimal

import pytest
from rest_framework import serializers

from funds.errors import FundsError, FundsNotFound
from funds.money import AmountField, amount_check, decimal_places, format_amount, format_decimal, quantize
from funds.tests.factories import currency


@pytest.fixture
def usd(db):
    return currency("USD")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), ("2.5", "2.50"), ("0.125", "0.13"), ("7", "7.00")],
)
def test_quantize_rounds_half_up_to_the_currency_precision(usd, amount, expected):
    assert str(quantize(Decimal(amount), "usd")) == expected


@pytest.mark.django_db
def test_quantize_follows_each_currency_precision():
    assert str(quantize(Decimal("1.2345675"), currency("USDT"))) == "1.234568"
    assert str(quantize(Decimal("1500.5"), currency("JPY"))) == "1501"


def test_quantize_refuses_floats(usd):
    with pytest.raises(TypeError):
        quantize(1.005, usd)


@pytest.mark.django_db
def test_quantize_refuses_an_unknown_currency():
    with pytest.raises(FundsNotFound) as refused:
        quantize(Decimal("1"), "XXX")

    assert (refused.value.code, refused.value.status) == ("currency_not_found", 404)


@pytest.mark.parametrize(("amount", "places"), [("1.50", 1), ("100", 0), ("1E+2", 0), ("0.001", 3), ("0", 0)])
def test_decimal_places_counts_only_digits_that_carry_value(amount, places):
    assert decimal_places(Decimal(amount)) == places


def test_amount_check_returns_the_amount_at_the_currency_precision(usd):
    assert str(amount_check(Decimal("100.5"), usd)) == "100.50"
    assert str(amount_check(Decimal("100.000"), usd)) == "100.00"  # trailing zeros are no extra precision


@pytest.mark.parametrize(
    ("amount", "code"), [("100.001", "amount_too_precise"), ("0", "amount_not_positive"), ("-1", "amount_not_positive")]
)
def test_amount_check_refuses_rather_than_rounds(usd, amount, code):
    with pytest.raises(FundsError) as refused:
        amount_check(Decimal(amount), usd, field="deposit_amount")

    assert refused.value.code == code
    assert list(refused.value.fields) == ["deposit_amount"]


def test_amount_check_may_allow_zero(usd):
    assert amount_check(Decimal("0"), usd, allow_zero=True) == Decimal("0.00")


def test_formats(usd):
    assert format_amount(Decimal("1000"), usd) == "1000.00"
    assert format_amount(Decimal("12345678901.5"), usd) == "12345678901.50"
    assert format_decimal(Decimal("7.2000000000")) == "7.2"
    assert format_decimal(Decimal("100.0000")) == "100"


class AmountInput(serializers.Serializer):
    currency = serializers.CharField()
    amount = AmountField(currency_field="currency")


def errors_of(data) -> dict:
    serializer = AmountInput(data=data)
    assert not serializer.is_valid()
    return {field: [str(message) for message in messages] for field, messages in serializer.errors.items()}


def test_amount_field_reads_a_string_at_the_currency_precision(usd):
    serializer = AmountInput(data={"currency": "USD", "amount": "1000.5"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == Decimal("1000.50")
    assert str(serializer.validated_data["amount"]) == "1000.50"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than zero."),
        ("0.00", "The amount must be greater than zero."),
        ("-5", "The amount must be greater than zero."),
        ("10.001", "USD amounts have at most 2 decimal places."),
        ("1e3", 'Give the amount as a string of digits, e.g. "1000.00".'),
        (" ", 'Give the amount as a string of digits, e.g. "1000.00".'),
        ("1,000.00", 'Give the amount as a string of digits, e.g. "1000.00".'),
        ("NaN", 'Give the amount as a string of digits, e.g. "1000.00".'),
        (10.5, 'Give the amount as a string of digits, e.g. "1000.00".'),
        (True, 'Give the amount as a string of digits, e.g. "1000.00".'),
        ("1234567890123", "The amount has more than 12 digits before the decimal point."),
    ],
)
def test_amount_field_refuses(usd, amount, message):
    assert errors_of({"currency": "USD", "amount": amount}) == {"amount": [message]}


@pytest.mark.django_db
def test_amount_field_checks_each_currency_precision():
    currency("JPY")

    assert errors_of({"currency": "JPY", "amount": "100.5"}) == {"amount": ["JPY amounts are whole numbers."]}


@pytest.mark.django_db
def test_amount_field_without_a_known_currency_allows_eight_decimals():
    assert errors_of({"currency": "XXX", "amount": "1.123456789"}) == {
        "amount": ["The amount has more than 8 decimal places."]
    }
    serializer = AmountInput(data={"currency": "XXX", "amount": "1.12345678"})
    assert serializer.is_valid()


def test_amount_field_may_allow_zero(usd):
    field = AmountField(currency=usd, allow_zero=True)

    assert field.run_validation("0") == Decimal("0.00")
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation("-1")
    assert [str(message) for message in refused.value.detail] == ["The amount must not be negative."]


def test_amount_field_writes_the_currency_precision(usd):
    class Output(serializers.Serializer):
        amount = AmountField(currency_field="currency")

    assert Output({"amount": Decimal("5.10000000"), "currency": usd}).data == {"amount": "5.10"}
    assert Output({"amount": Decimal("5"), "currency": "USD"}).data == {"amount": "5.00"}
