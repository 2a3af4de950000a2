"""Channels (remittance methods) with their currencies, fees and limits; crypto networks; exchange
rates; the payout accounts clients withdraw to.

Money columns are `DecimalField(20, 8)`: eight decimals hold every currency's precision (at most 8,
see `Currency`), and the amounts themselves are quantized to their currency by `funds.money`.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.api.languages import localized, request_language
from crm.configuration.models import Country, Currency, FundingMethod, validate_i18n_texts

AMOUNT_MAX_DIGITS = 20
AMOUNT_DECIMAL_PLACES = 8
RATE_MAX_DIGITS = 20
RATE_DECIMAL_PLACES = 10

# A channel handled by staff (receipts checked by hand); other values name an online payment provider.
MANUAL_PROVIDER = "manual"

validate_code = RegexValidator(r"^[A-Z0-9_-]{2,16}$", _("Use 2–16 capital letters, digits, - or _."))
validate_provider = RegexValidator(r"^[a-z0-9_]{1,32}$", _("Use lower-case letters, digits and _."))


def amount_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, **kwargs)


def validate_pay_data(value) -> None:
    """What a client needs to pay a deposit: `{"bank_name": "…", "account_number": "…"}`, text values only."""
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(text, str) for key, text in value.items()
    ):
        raise ValidationError(_('Give the payment details as {"name": "text", …}.'))


def validate_pattern(value: str) -> None:
    try:
        re.compile(value)
    except re.error as error:
        raise ValidationError(_("Not a valid regular expression: %(error)s"), params={"error": error}) from error


def _related_or_none(instance: models.Model, name: str):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


class Direction(models.TextChoices):
    """Which way money moves through a channel."""

    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class CryptoNetwork(models.Model):
    """A blockchain network (token standard) coins travel on: TRC-20, ERC-20, …"""

    code = models.CharField(_("code"), max_length=16, unique=True, validators=[validate_code], help_text="TRC20")
    name = models.CharField(_("name"), max_length=64, help_text=_("As clients see it, e.g. TRC-20 (Tron)."))
    currencies = models.ManyToManyField(
        Currency, blank=True, related_name="+", verbose_name=_("coins"), help_text=_("Coins it carries, e.g. USDT.")
    )
    address_pattern = models.CharField(
        _("address pattern"),
        max_length=200,
        validators=[validate_pattern],
        help_text=_("A regular expression every wallet address on this network matches in full."),
    )
    address_example = models.CharField(_("address example"), max_length=128, blank=True)
    confirmations = models.PositiveIntegerField(
        _("confirmations"), default=1, help_text=_("Blocks to wait before a deposit counts as received.")
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("crypto network")
        verbose_name_plural = _("crypto networks")

    def __str__(self) -> str:
        return self.name or self.code

    def clean(self) -> None:
        if self.address_example and not self.is_valid_address(self.address_example):
            raise ValidationError({"address_example": _("The example does not match the address pattern.")})

    def is_valid_address(self, address: str) -> bool:
        try:
            return re.fullmatch(self.address_pattern, address) is not None
        except re.error:
            return False


class ClientSegment(models.Model):
    """A group of clients a channel can be reserved for (VIP, a region's desk, …), kept by staff."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="funding_segments", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("client segment")
        verbose_name_plural = _("client segments")

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A remittance method a client deposits through or withdraws to (`remittance_id` in the API)."""

    method = models.CharField(_("method"), max_length=32, choices=FundingMethod.choices)
    name_i18n = models.JSONField(_("name"), default=dict, validators=[validate_i18n_texts])
    can_deposit = models.BooleanField(_("for deposits"), default=True)
    can_withdraw = models.BooleanField(_("for withdrawals"), default=True)
    network = models.ForeignKey(
        CryptoNetwork,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("network"),
        help_text=_("Cryptocurrency channels only."),
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("countries"), help_text=_("Empty: every country.")
    )
    segments = models.ManyToManyField(
        ClientSegment,
        blank=True,
        related_name="channels",
        verbose_name=_("client segments"),
        help_text=_("Empty: every client."),
    )
    instructions_i18n = models.JSONField(_("instructions"), default=dict, blank=True, validators=[validate_i18n_texts])
    pay_data = models.JSONField(
        _("payment details"),
        default=dict,
        blank=True,
        validators=[validate_pay_data],
        help_text=_('Shown to depositing clients: {"bank_name": "…", "account_number": "…", "swift_code": "…"}.'),
    )
    provider = models.CharField(
        _("provider"),
        max_length=32,
        default=MANUAL_PROVIDER,
        validators=[validate_provider],
        help_text=_('"manual" (staff check receipts) or the name of an online payment provider.'),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(method=FundingMethod.CRYPTOCURRENCY, network__isnull=False)
                    | (~models.Q(method=FundingMethod.CRYPTOCURRENCY) & models.Q(network__isnull=True))
                ),
                name="channel_network_iff_cryptocurrency",
                violation_error_message=_("Cryptocurrency channels, and only they, have a network."),
            ),
        ]

    def __str__(self) -> str:
        # In the reader's language: the back office is read in Chinese and in English.
        return localized(self.name_i18n, request_language()) or f"{self.get_method_display()} #{self.pk}"

    def clean(self) -> None:
        is_crypto = self.method == FundingMethod.CRYPTOCURRENCY
        if is_crypto and self.network_id is None:
            raise ValidationError({"network": _("A cryptocurrency channel needs its network.")})
        if not is_crypto and self.network_id is not None:
            raise ValidationError({"network": _("Only cryptocurrency channels have a network.")})

    def is_open_for(self, direction: str) -> bool:
        return self.can_deposit if direction == Direction.DEPOSIT else self.can_withdraw


class ChannelCurrency(models.Model):
    """A currency a channel takes one way, with its limits and fee (fixed + percent of the amount)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="currencies")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    min_amount = amount_field(verbose_name=_("minimum amount"), default=0)
    max_amount = amount_field(verbose_name=_("maximum amount"), null=True, blank=True, help_text=_("Empty: no limit."))
    fixed_fee = amount_field(verbose_name=_("fixed fee"), default=0)
    percent_fee = models.DecimalField(
        _("percent fee"),
        max_digits=7,
        decimal_places=4,
        default=0,
        # xgettext:no-python-format
        help_text=_("1.5 means 1.5 % of the amount."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("channel currency")
        verbose_name_plural = _("channel currencies")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "currency", "direction"], name="channel_currency_once_per_direction"
            ),
            models.CheckConstraint(
                condition=models.Q(min_amount__gte=0),
                name="channel_min_amount_not_negative",
                violation_error_message=_("The minimum must not be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(max_amount__isnull=True)
                | (models.Q(max_amount__gt=0) & models.Q(max_amount__gte=models.F("min_amount"))),
                name="channel_max_amount_above_min",
                violation_error_message=_("The maximum must be above zero and not below the minimum."),
            ),
            models.CheckConstraint(
                condition=models.Q(fixed_fee__gte=0),
                name="channel_fixed_fee_not_negative",
                violation_error_message=_("The fixed fee must not be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(percent_fee__gte=0, percent_fee__lte=100),
                name="channel_percent_fee_0_to_100",
                violation_error_message=_("The percent fee is between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        code = self.currency.code if self.currency_id else "?"
        return f"{self.channel} {code} ({self.get_direction_display()})"

    def clean(self) -> None:
        from funds.money import decimal_places

        currency = _related_or_none(self, "currency")
        channel = _related_or_none(self, "channel")  # unsaved while the admin adds a channel with its currencies
        errors: dict[str, str] = {}
        if currency is not None:
            for name in ("min_amount", "max_amount", "fixed_fee"):
                value = getattr(self, name)
                if value is not None and decimal_places(value) > currency.precision:
                    errors[name] = _("%(code)s amounts have at most %(places)s decimal places.") % {
                        "code": currency.code,
                        "places": currency.precision,
                    }
            if channel is not None and channel.method and not getattr(currency, f"for_{channel.method}", False):
                errors["currency"] = _("%(code)s is not set up for %(method)s (see the currency's settings).") % {
                    "code": currency.code,
                    "method": channel.get_method_display(),
                }
        if self.max_amount is not None and self.min_amount is not None and self.max_amount < self.min_amount:
            errors["max_amount"] = _("The maximum must not be below the minimum.")
        if errors:
            raise ValidationError(errors)


class ExchangeRate(models.Model):
    """1 `from_currency` = `rate` `to_currency`. Set by staff through `exchange_rate_set` only."""

    from_currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("from currency")
    )
    to_currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("to currency"))
    rate = models.DecimalField(_("rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["from_currency", "to_currency"], name="exchange_rate_once_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(from_currency=models.F("to_currency")),
                name="exchange_rate_between_two_currencies",
                violation_error_message=_("A rate is between two different currencies."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("The rate must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_currency.code}/{self.to_currency.code}"


class ExchangeRateHistory(models.Model):
    """Every value a rate has had, who set it and when (append-only)."""

    exchange_rate = models.ForeignKey(ExchangeRate, on_delete=models.PROTECT, related_name="history")
    previous_rate = models.DecimalField(
        _("previous rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES, null=True, blank=True
    )
    rate = models.DecimalField(_("rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("exchange rate change")
        verbose_name_plural = _("exchange rate history")

    def __str__(self) -> str:
        return f"{self.exchange_rate_id}: {self.previous_rate} → {self.rate}"


# The details field of each payment method, as the API names them.
INFO_FIELDS: dict[str, str] = {
    FundingMethod.BANK_TRANSFER: "bank_transfer_info",
    FundingMethod.INTERNATIONAL_WIRE_TRANSFER: "international_wire_info",
    FundingMethod.CRYPTOCURRENCY: "cryptocurrency_info",
}


def _only_info_of(method: str) -> models.Q:
    condition = models.Q(payment_method=method)
    for other_method, field in INFO_FIELDS.items():
        condition &= models.Q(**{f"{field}__isnull": other_method != method})
    return condition


class PayoutAccount(models.Model):
    """A bank account or wallet a client withdraws to. Deleting only hides it (`is_deleted`), so the
    withdrawals that went there keep their reference."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_accounts", verbose_name=_("owner")
    )
    payment_method = models.CharField(_("payment method"), max_length=32, choices=FundingMethod.choices)
    # Exactly the details of the account's method are set (checked by the database); see `funds.payout_info`.
    bank_transfer_info = models.JSONField(_("bank transfer details"), null=True, blank=True)
    international_wire_info = models.JSONField(_("international wire details"), null=True, blank=True)
    cryptocurrency_info = models.JSONField(_("cryptocurrency details"), null=True, blank=True)
    network = models.ForeignKey(
        CryptoNetwork,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payout_accounts",
        verbose_name=_("network"),
    )
    account_holder_name = models.CharField(_("account holder"), max_length=150)
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        indexes = [models.Index(fields=["owner", "payment_method", "is_deleted"], name="payout_account_owner_method")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "payment_method"],
                condition=models.Q(is_default=True, is_deleted=False),
                name="one_default_payout_account_per_method",
            ),
            models.CheckConstraint(
                condition=models.Q(is_deleted=False) | models.Q(is_default=False),
                name="payout_account_deleted_is_not_default",
            ),
            models.CheckConstraint(
                condition=_only_info_of(FundingMethod.BANK_TRANSFER)
                | _only_info_of(FundingMethod.INTERNATIONAL_WIRE_TRANSFER)
                | _only_info_of(FundingMethod.CRYPTOCURRENCY),
                name="payout_account_details_of_its_method",
            ),
            models.CheckConstraint(
                condition=models.Q(payment_method=FundingMethod.CRYPTOCURRENCY, network__isnull=False)
                | (~models.Q(payment_method=FundingMethod.CRYPTOCURRENCY) & models.Q(network__isnull=True)),
                name="payout_account_network_iff_cryptocurrency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_payment_method_display()} #{self.pk} {self.account_holder_name}"

    @property
    def info(self) -> dict:
        """The details of its own method."""
        return getattr(self, INFO_FIELDS[self.payment_method]) or {}
