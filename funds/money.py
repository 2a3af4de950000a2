"""Amounts: `Decimal`s at their currency's precision, never floats.

Rounding. Amounts we compute (fees, conversions) are rounded half up (`ROUND_HALF_UP`: 0.005 → 0.01,
−0.005 → −0.01), the commercial rounding clients know from bank statements, applied once, at the end
of a computation. Amounts people give us are never rounded: one with more decimals than its currency
has is refused (`amount_too_precise`) rather than silently changed. Trailing zeros are not more
precision ("100.000" USD is 100.00 USD), so they are accepted.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from crm.configuration.models import Currency
from funds.errors import FundsError, FundsNotFound
from funds.models import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS

ROUNDING = ROUND_HALF_UP
# Digits before the point that a stored amount (DecimalField(20, 8)) can hold.
MAX_INTEGER_DIGITS = AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES
AMOUNT_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")

CurrencyLike = Currency | str


def currency_get(currency: CurrencyLike) -> Currency:
    """The currency itself, or the one with this code (any case); 404 `currency_not_found` otherwise."""
    if isinstance(currency, Currency):
        return currency
    code = str(currency).strip().upper()
    found = Currency.objects.filter(code=code).first()
    if found is None:
        raise FundsNotFound(
            code="currency_not_found",
            message=_("There is no currency %(code)s.") % {"code": code},
            fields={"currency": [_("Unknown currency.")]},
        )
    return found


def as_decimal(amount: Decimal | int) -> Decimal:
    """Refuse floats (and bools) before they reach money arithmetic."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amounts are Decimals, not {type(amount).__name__}")
    return Decimal(amount)


def decimal_places(amount: Decimal) -> int:
    """Decimals that carry a value: 1.50 → 1, 100 → 0, 0.001 → 3."""
    return max(0, -as_decimal(amount).normalize().as_tuple().exponent)


def quantize(amount: Decimal, currency: CurrencyLike) -> Decimal:
    """`amount` at `currency`'s precision, rounded half up. For amounts we compute; check what people
    give with `amount_check` instead, which refuses rather than rounds."""
    precision = currency_get(currency).precision
    return as_decimal(amount).quantize(Decimal(1).scaleb(-precision), rounding=ROUNDING)


def amount_check(
    amount: Decimal, currency: CurrencyLike, *, field: str = "amount", allow_zero: bool = False
) -> Decimal:
    """An amount a person gave, refused unless it is positive (or zero, when allowed) and has no more
    decimals than `currency`; returned at the currency's precision. 400 `amount_not_positive` /
    `amount_too_precise`, naming `field`."""
    currency = currency_get(currency)
    amount = as_decimal(amount)
    if amount < 0 or (amount == 0 and not allow_zero):
        message = _("The amount must not be negative.") if allow_zero else _("The amount must be greater than zero.")
        raise FundsError(code="amount_not_positive", message=message, fields={field: [message]})
    if decimal_places(amount) > currency.precision:
        message = too_precise_message(currency)
        raise FundsError(code="amount_too_precise", message=message, fields={field: [message]})
    return quantize(amount, currency)


def too_precise_message(currency: Currency) -> str:
    if currency.precision == 0:
        return _("%(code)s amounts are whole numbers.") % {"code": currency.code}
    return _("%(code)s amounts have at most %(places)s decimal places.") % {
        "code": currency.code,
        "places": currency.precision,
    }


def format_amount(amount: Decimal, currency: CurrencyLike) -> str:
    """`amount` as the API shows it: a string at the currency's precision, e.g. "1000.00"."""
    return f"{quantize(amount, currency):f}"


def format_decimal(value: Decimal) -> str:
    """A rate or percentage without trailing zeros or exponent: 7.2000000000 → "7.2", 100 → "100"."""
    return f"{as_decimal(value).normalize():f}"


AMOUNT_SCHEMA = {
    "type": "string",
    "pattern": r"^\d+(\.\d+)?$",
    "example": "1000.00",
    "description": "A decimal amount as a string, with at most the currency's decimal places.",
}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountField(serializers.Field):
    """An amount as a JSON string, both ways; never a float.

    In: digits with an optional decimal part ("1000", "1000.50"); positive (or zero with
    `allow_zero`); at most 12 digits before the point; at most as many decimals as its currency has.
    Out: a string at the currency's precision.

    The currency is `currency` (a code or a `Currency`), or the sibling field `currency_field`: its raw
    value (a code) on input, the attribute of that name (a `Currency` or a code) on output, or
    `context["currency"]`. Without any, inputs may have up to 8 decimals and outputs are shown as stored.
    """

    default_error_messages = {
        "invalid": gettext_lazy('Give the amount as a string of digits, e.g. "1000.00".'),
        "not_positive": gettext_lazy("The amount must be greater than zero."),
        "negative": gettext_lazy("The amount must not be negative."),
        "max_integer_digits": gettext_lazy("The amount has more than {digits} digits before the decimal point."),
        "max_decimal_places": gettext_lazy("The amount has more than {places} decimal places."),
    }

    def __init__(
        self,
        *,
        currency: CurrencyLike | None = None,
        currency_field: str | None = None,
        allow_zero: bool = False,
        **kwargs,
    ) -> None:
        self.currency = currency
        self.currency_field = currency_field
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    # --- in -----------------------------------------------------------------------------------------

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")  # floats included: their value is already not what the client meant
        text = str(data).strip()
        if not AMOUNT_PATTERN.match(text):
            self.fail("invalid")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.fail("invalid")
        if amount < 0 or (amount == 0 and not self.allow_zero):
            self.fail("negative" if self.allow_zero else "not_positive")
        if len(str(int(amount))) > MAX_INTEGER_DIGITS:
            self.fail("max_integer_digits", digits=MAX_INTEGER_DIGITS)
        currency = self._input_currency()
        if currency is None:
            if decimal_places(amount) > AMOUNT_DECIMAL_PLACES:
                self.fail("max_decimal_places", places=AMOUNT_DECIMAL_PLACES)
            return amount
        if decimal_places(amount) > currency.precision:
            raise serializers.ValidationError(too_precise_message(currency), code="too_precise")
        return quantize(amount, currency)

    def _input_currency(self) -> Currency | None:
        wanted = self.currency
        if wanted is None and self.currency_field and self.parent is not None:
            raw = getattr(self.parent, "initial_data", {})
            wanted = raw.get(self.currency_field) if hasattr(raw, "get") else None
        if wanted is None:
            wanted = self.context.get("currency")
        if isinstance(wanted, Currency):
            return wanted
        if not isinstance(wanted, str) or not wanted.strip():
            return None
        # An unknown code is the currency field's error to report, not ours.
        return Currency.objects.filter(code=wanted.strip().upper()).first()

    # --- out ----------------------------------------------------------------------------------------

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        currency = self.currency
        if currency is None and self.currency_field:
            try:
                currency = get_attribute(instance, [self.currency_field])
            except (AttributeError, KeyError):
                currency = None
        return value, currency

    def to_representation(self, value) -> str | None:
        amount, currency = value if isinstance(value, tuple) else (value, self.currency)
        if amount is None:
            return None
        currency = currency or self.context.get("currency")
        if currency is None:
            return f"{as_decimal(amount):f}"
        return format_amount(amount, currency)
