"""Reads and computations of the funds core: which channels a client may use, their currencies, fees
and limits; exchange rates and conversion; a client's payout accounts.

Shared by the API, the portal, the admin and the deposit, withdrawal and transfer modules.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from crm.configuration.models import FundingMethod
from crm.users.models import User
from funds.errors import FundsError, FundsNotFound
from funds.models import (
    RATE_DECIMAL_PLACES,
    Channel,
    ChannelCurrency,
    ClientSegment,
    CryptoNetwork,
    Direction,
    ExchangeRate,
    PayoutAccount,
)
from funds.money import CurrencyLike, amount_check, as_decimal, currency_get, quantize

USDT = "USDT"

# --- channels -------------------------------------------------------------------------------------


def _currency_fits_channel() -> Q:
    """The currency is set up for the channel's method (`Currency.for_<method>`)."""
    condition = Q()
    for method in FundingMethod.values:
        condition |= Q(channel__method=method, **{f"currency__for_{method}": True})
    return condition


def channel_currencies_offered(*, direction: str | None = None) -> QuerySet[ChannelCurrency]:
    """Enabled currency rows of enabled currencies that fit their channel's method, in order."""
    rows = ChannelCurrency.objects.filter(is_enabled=True, currency__is_enabled=True).filter(_currency_fits_channel())
    if direction is not None:
        rows = rows.filter(direction=direction)
    return rows.select_related("currency").order_by("position", "currency__position", "currency__code", "id")


def channels_open_to(*, user: User, direction: str | None = None) -> QuerySet[Channel]:
    """Channels `user` may use `direction` (either way when None): enabled, open that way with at least
    one currency offered, serving the user's country (or every country) and one of the user's
    segments (or every client), on an enabled network. Each carries `offered_currencies`, the rows of
    `direction` (of both directions when None)."""
    country_rows = Channel.countries.through.objects.filter(channel=OuterRef("pk"))
    segment_rows = Channel.segments.through.objects.filter(channel=OuterRef("pk"))
    user_segments = ClientSegment.objects.filter(members=user).values("pk")

    def offers(way: str) -> Q:
        return Q(Exists(channel_currencies_offered(direction=way).filter(channel=OuterRef("pk"))))

    open_deposit = Q(can_deposit=True) & offers(Direction.DEPOSIT)
    open_withdraw = Q(can_withdraw=True) & offers(Direction.WITHDRAWAL)
    if direction == Direction.DEPOSIT:
        open_either = open_deposit
    elif direction == Direction.WITHDRAWAL:
        open_either = open_withdraw
    else:
        open_either = open_deposit | open_withdraw

    serves_country = ~Q(Exists(country_rows))
    if user.country_id is not None:
        serves_country |= Q(Exists(country_rows.filter(country_id=user.country_id)))
    return (
        Channel.objects.filter(is_enabled=True)
        .filter(Q(network__isnull=True) | Q(network__is_enabled=True))
        .filter(open_either)
        .filter(serves_country)
        .filter(~Exists(segment_rows) | Exists(segment_rows.filter(clientsegment__in=user_segments)))
        .select_related("network")
        .prefetch_related(
            Prefetch(
                "currencies", queryset=channel_currencies_offered(direction=direction), to_attr="offered_currencies"
            )
        )
        .order_by("position", "id")
    )


def channel_get_open(*, user: User, channel_id: int, direction: str | None = None) -> Channel:
    """The channel, if `user` may use it `direction`; 404 `channel_not_found` otherwise."""
    channel = channels_open_to(user=user, direction=direction).filter(pk=channel_id).first()
    if channel is None:
        raise FundsNotFound(
            code="channel_not_found",
            message=_("This remittance method is not available."),
            fields={"remittance_id": [_("No remittance method available to you has this id.")]},
        )
    return channel


def channel_currency_table(*, channel: Channel) -> list[dict]:
    """The currencies the channel takes, each as `{"currency", "deposit", "withdrawal"}` with the row of
    each way (None when it is not taken that way or the channel is closed that way), in order."""
    rows = getattr(channel, "offered_currencies", None)
    if rows is None:
        rows = channel_currencies_offered().filter(channel=channel)
    table: dict[int, dict] = {}
    for row in rows:
        if channel.is_open_for(row.direction):
            entry = table.setdefault(row.currency_id, {"currency": row.currency, "deposit": None, "withdrawal": None})
            entry[Direction(row.direction).value] = row
    return list(table.values())


def channel_currency_get(
    *, channel: Channel, currency: CurrencyLike, direction: str, currency_field: str = "currency"
) -> ChannelCurrency:
    """The channel's row for `currency` that way; 400 `currency_not_supported` (field `currency_field`)
    when the channel does not take it, or is closed that way."""
    code = currency.code if not isinstance(currency, str) else currency.strip().upper()
    row = None
    if channel.is_open_for(direction):
        row = channel_currencies_offered(direction=direction).filter(channel=channel, currency__code=code).first()
    if row is None:
        if direction == Direction.DEPOSIT:
            message = _("This remittance method does not take %(code)s deposits.") % {"code": code}
        else:
            message = _("This remittance method does not pay out %(code)s withdrawals.") % {"code": code}
        raise FundsError(code="currency_not_supported", message=message, fields={currency_field: [message]})
    return row


def fee_for(*, channel_currency: ChannelCurrency, amount: Decimal) -> Decimal:
    """Fixed fee + percent of `amount`, at the currency's precision (rounded half up once, at the end)."""
    amount = as_decimal(amount)
    fee = channel_currency.fixed_fee + amount * channel_currency.percent_fee / 100
    return quantize(fee, channel_currency.currency)


def channel_fee(*, channel: Channel, currency: CurrencyLike, amount: Decimal, direction: str) -> Decimal:
    """The fee the channel charges for moving `amount` of `currency` `direction`.

    e.g. 1000.00 USD at 1.5 % + 2.00 fixed → 17.00. 400 `currency_not_supported` when it does not
    take the currency that way.
    """
    row = channel_currency_get(channel=channel, currency=currency, direction=direction)
    return fee_for(channel_currency=row, amount=amount)


def channel_check_amount(
    *,
    channel: Channel,
    currency: CurrencyLike,
    amount: Decimal,
    direction: str,
    amount_field: str = "amount",
    currency_field: str = "currency",
) -> ChannelCurrency:
    """Refuse an amount the channel cannot take; return the channel's row for the currency.

    400, naming `amount_field` or `currency_field`: `currency_not_supported`, `amount_not_positive`,
    `amount_too_precise`, `amount_below_minimum`, `amount_above_maximum` (limits inclusive).
    """
    row = channel_currency_get(channel=channel, currency=currency, direction=direction, currency_field=currency_field)
    amount = amount_check(amount, row.currency, field=amount_field)
    code = row.currency.code
    if amount < row.min_amount:
        message = _("The minimum is %(amount)s %(code)s.") % {
            "amount": quantize(row.min_amount, row.currency),
            "code": code,
        }
        raise FundsError(code="amount_below_minimum", message=message, fields={amount_field: [message]})
    if row.max_amount is not None and amount > row.max_amount:
        message = _("The maximum is %(amount)s %(code)s.") % {
            "amount": quantize(row.max_amount, row.currency),
            "code": code,
        }
        raise FundsError(code="amount_above_maximum", message=message, fields={amount_field: [message]})
    return row


def crypto_networks_for(*, currency_code: str = USDT) -> QuerySet[CryptoNetwork]:
    """Enabled networks that carry the coin, in order."""
    return CryptoNetwork.objects.filter(is_enabled=True, currencies__code=currency_code).order_by("position", "code")


# --- exchange rates -------------------------------------------------------------------------------


def exchange_rates_listed() -> QuerySet[ExchangeRate]:
    """The rates set between enabled currencies, by pair."""
    return (
        ExchangeRate.objects.filter(from_currency__is_enabled=True, to_currency__is_enabled=True)
        .select_related("from_currency", "to_currency")
        .order_by("from_currency__position", "from_currency__code", "to_currency__position", "to_currency__code")
    )


def _code(currency: CurrencyLike) -> str:
    return currency.strip().upper() if isinstance(currency, str) else currency.code


def exchange_rate_get(*, from_currency: CurrencyLike, to_currency: CurrencyLike) -> Decimal:
    """How many `to_currency` one `from_currency` buys.

    A currency to itself is 1. When only the reverse pair is set, its inverse, rounded half up to 10
    decimals (staff set the direction they quote; USD/CNY 7.2 also answers CNY/USD 0.1388888889).
    404 `exchange_rate_not_found` otherwise.
    """
    source, target = _code(from_currency), _code(to_currency)
    if source == target:
        return Decimal(1)
    rates = dict(
        ExchangeRate.objects.filter(
            Q(from_currency__code=source, to_currency__code=target)
            | Q(from_currency__code=target, to_currency__code=source)
        ).values_list("from_currency__code", "rate")
    )
    if source in rates:
        return rates[source]
    if target in rates:
        return (Decimal(1) / rates[target]).quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES), rounding=ROUND_HALF_UP)
    raise FundsNotFound(
        code="exchange_rate_not_found",
        message=_("There is no exchange rate from %(source)s to %(target)s.") % {"source": source, "target": target},
    )


def convert(*, amount: Decimal, from_currency: CurrencyLike, to_currency: CurrencyLike) -> Decimal:
    """`amount` of `from_currency` in `to_currency`, at its precision (rounded half up).

    404 `exchange_rate_not_found` (no rate) or `currency_not_found`.
    """
    rate = exchange_rate_get(from_currency=from_currency, to_currency=to_currency)
    return quantize(as_decimal(amount) * rate, currency_get(to_currency))


# --- payout accounts ------------------------------------------------------------------------------


def payout_accounts_of(
    *,
    owner: User,
    payment_method: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> QuerySet[PayoutAccount]:
    """The owner's payout accounts (not deleted), default first then newest; the time bounds inclusive."""
    accounts = PayoutAccount.objects.filter(owner=owner, is_deleted=False)
    if payment_method:
        accounts = accounts.filter(payment_method=payment_method)
    if created_from is not None:
        accounts = accounts.filter(created_at__gte=created_from)
    if created_to is not None:
        accounts = accounts.filter(created_at__lte=created_to)
    return accounts.select_related("network").order_by("-is_default", "-created_at", "-id")


def payout_account_get(*, owner: User, account_id: int, for_update: bool = False) -> PayoutAccount:
    """One of the owner's payout accounts (not deleted); 404 `payout_account_not_found` for anyone
    else's, a deleted one or an unknown id. `for_update` locks it (inside a transaction)."""
    accounts = PayoutAccount.objects.filter(owner=owner, is_deleted=False)
    if for_update:
        # `of`: PostgreSQL cannot lock the nullable side (the network) of the outer join.
        accounts = accounts.select_for_update(of=("self",))
    account = accounts.select_related("network").filter(pk=account_id).first()
    if account is None:
        raise FundsNotFound(
            code="payout_account_not_found",
            message=_("Payout account not found."),
            fields={"id": [_("You have no payout account with this id.")]},
        )
    return account
