"""The details of a payout account, per payment method, and how they are checked.

The same serializers check what the API, the portal and any other caller give (through
`payout_info_clean`) and document the objects in the API schema.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from crm.api.errors import flatten_field_errors
from crm.configuration.models import Country, FundingMethod
from funds.errors import FundsError
from funds.models import INFO_FIELDS, CryptoNetwork

SWIFT_PATTERN = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
IBAN_PATTERN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$")
ACCOUNT_NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9 -]{2,38}[A-Z0-9]$")


def iban_is_valid(iban: str) -> bool:
    """Shape and ISO 13616 check digits (mod 97 of the rearranged number is 1)."""
    if not IBAN_PATTERN.match(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


class CompactUpperField(serializers.CharField):
    """Text compared without spaces and case: SWIFT codes, IBANs."""

    def to_internal_value(self, data) -> str:
        return re.sub(r"\s+", "", super().to_internal_value(data)).upper()


class CountryCodeField(serializers.CharField):
    default_error_messages = {"unknown": gettext_lazy("Not a country we serve (ISO 3166-1 alpha-2, e.g. CN).")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code of an enabled country, e.g. CN.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data).strip().upper()
        if not Country.objects.filter(code=code, is_enabled=True).exists():
            self.fail("unknown")
        return code


def validate_account_number(value: str) -> str:
    if not ACCOUNT_NUMBER_PATTERN.match(value.upper()):
        raise serializers.ValidationError(_("Use 4–40 letters and digits (spaces and dashes allowed)."))
    return value


class BankTransferInfoSerializer(serializers.Serializer):
    """A bank account for local transfers."""

    account_holder_name = serializers.CharField(max_length=150, help_text="The name on the account.")
    bank_name = serializers.CharField(max_length=128)
    account_number = serializers.CharField(max_length=40, validators=[validate_account_number])
    branch = serializers.CharField(max_length=128, help_text="The branch that holds the account.")
    bank_address = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    country = CountryCodeField(help_text="Where the bank is: an enabled country's ISO code, e.g. CN.")


class InternationalWireInfoSerializer(serializers.Serializer):
    """A bank account reached by international (SWIFT) wire."""

    account_holder_name = serializers.CharField(max_length=150, help_text="The beneficiary's name.")
    bank_name = serializers.CharField(max_length=128)
    account_number = serializers.CharField(max_length=40, validators=[validate_account_number])
    swift_code = CompactUpperField(max_length=11, help_text="SWIFT/BIC, 8 or 11 characters.")
    iban = CompactUpperField(
        max_length=42, required=False, default="", allow_blank=True, help_text='Checked when given; "" if none.'
    )
    branch = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)
    bank_address = serializers.CharField(max_length=255)
    beneficiary_address = serializers.CharField(max_length=255)
    country = CountryCodeField(help_text="Where the bank is: an enabled country's ISO code, e.g. HK.")

    def validate_swift_code(self, value: str) -> str:
        if not SWIFT_PATTERN.match(value):
            raise serializers.ValidationError(_("A SWIFT/BIC code has 8 or 11 letters and digits, e.g. BKCHHKHHXXX."))
        return value

    def validate_iban(self, value: str) -> str:
        if value and not iban_is_valid(value):
            raise serializers.ValidationError(_("This IBAN is not valid (check its digits)."))
        return value


class CryptocurrencyInfoSerializer(serializers.Serializer):
    """A wallet on a crypto network."""

    network = serializers.CharField(max_length=16, help_text="Code of an enabled network, e.g. TRC20 or ERC20.")
    wallet_address = serializers.CharField(max_length=128, help_text="In the network's format.")
    account_holder_name = serializers.CharField(
        max_length=150, required=False, default="", allow_blank=True, help_text='The wallet\'s owner; "" if not given.'
    )

    def validate_network(self, value: str) -> str:
        code = value.strip().upper()
        if not CryptoNetwork.objects.filter(code=code, is_enabled=True).exists():
            raise serializers.ValidationError(_("No enabled network has this code."))
        return code

    def validate(self, data: dict) -> dict:
        network = CryptoNetwork.objects.get(code=data["network"])
        address = data["wallet_address"].strip()
        if not network.is_valid_address(address):
            example = f" ({_('e.g.')} {network.address_example})" if network.address_example else ""
            raise serializers.ValidationError(
                {"wallet_address": [_("Not a valid %(network)s address.") % {"network": network.name} + example]}
            )
        return {**data, "wallet_address": address}


INFO_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    FundingMethod.BANK_TRANSFER: BankTransferInfoSerializer,
    FundingMethod.INTERNATIONAL_WIRE_TRANSFER: InternationalWireInfoSerializer,
    FundingMethod.CRYPTOCURRENCY: CryptocurrencyInfoSerializer,
}


def invalid_input(fields: dict[str, list[str]]) -> FundsError:
    return FundsError(code="invalid_input", message=_("Some fields are missing or invalid."), fields=fields)


def payout_info_clean(*, payment_method: str, info) -> tuple[dict, CryptoNetwork | None]:
    """The details for `payment_method`, checked and normalized, and the crypto network they name.

    400 `invalid_input` with fields named like `bank_transfer_info.account_number`.
    """
    field = INFO_FIELDS[payment_method]
    if not isinstance(info, dict) or not info:
        raise invalid_input(
            {field: [_("Give the %(method)s details.") % {"method": FundingMethod(payment_method).label}]}
        )
    serializer = INFO_SERIALIZERS[payment_method](data=info)
    if not serializer.is_valid():
        raise invalid_input(flatten_field_errors(serializer.errors, prefix=field))
    cleaned = dict(serializer.validated_data)
    network = None
    if payment_method == FundingMethod.CRYPTOCURRENCY:
        network = CryptoNetwork.objects.get(code=cleaned["network"])
    return cleaned, network
