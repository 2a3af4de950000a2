"""Writes of the funds core: exchange rates (staff) and payout accounts (clients)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.configuration.models import FundingMethod
from crm.users.models import User
from funds.errors import FundsError
from funds.models import (
    INFO_FIELDS,
    RATE_DECIMAL_PLACES,
    RATE_MAX_DIGITS,
    ExchangeRate,
    ExchangeRateHistory,
    PayoutAccount,
)
from funds.money import CurrencyLike, as_decimal, currency_get, decimal_places
from funds.payout_info import invalid_input, payout_info_clean
from funds.selectors import payout_account_get

# --- exchange rates -------------------------------------------------------------------------------


def _rate_refused(field: str, message: str) -> FundsError:
    return FundsError(code="invalid_exchange_rate", message=message, fields={field: [message]})


@transaction.atomic
def exchange_rate_set(
    *, from_currency: CurrencyLike, to_currency: CurrencyLike, rate: Decimal, by: User | None
) -> ExchangeRate:
    """Set 1 `from_currency` = `rate` `to_currency`, keeping the old value in the history.

    `by` is the staff member (None: the system). Setting the value it already has changes nothing.
    400 `invalid_exchange_rate` (same currency twice, not positive, more than 10 decimals or 10
    digits before the point); 404 `currency_not_found`.
    """
    source, target = currency_get(from_currency), currency_get(to_currency)
    rate = as_decimal(rate)
    if source.pk == target.pk:
        raise _rate_refused("to_currency", _("A rate is between two different currencies."))
    if rate <= 0:
        raise _rate_refused("rate", _("The rate must be greater than zero."))
    integer_digits = len(str(int(rate)))
    if decimal_places(rate) > RATE_DECIMAL_PLACES or integer_digits > RATE_MAX_DIGITS - RATE_DECIMAL_PLACES:
        raise _rate_refused("rate", _("A rate has at most 10 digits before and 10 after the point."))

    exchange_rate = ExchangeRate.objects.select_for_update().filter(from_currency=source, to_currency=target).first()
    previous = None
    if exchange_rate is None:
        exchange_rate = ExchangeRate.objects.create(from_currency=source, to_currency=target, rate=rate, updated_by=by)
    elif exchange_rate.rate == rate:
        return exchange_rate
    else:
        previous = exchange_rate.rate
        exchange_rate.rate, exchange_rate.updated_by = rate, by
        exchange_rate.save(update_fields=["rate", "updated_by", "updated_at"])
    ExchangeRateHistory.objects.create(exchange_rate=exchange_rate, previous_rate=previous, rate=rate, set_by=by)
    audit_record(
        actor=by,
        action="exchange_rate.set",
        target=exchange_rate,
        data={
            "from_currency": source.code,
            "to_currency": target.code,
            "previous_rate": None if previous is None else str(previous),
            "rate": str(rate),
        },
    )
    return exchange_rate


# --- payout accounts ------------------------------------------------------------------------------


def _lock_owner(owner: User) -> None:
    """Serialize one owner's payout-account writes, so two requests cannot both see "no default yet"
    and both take it, nor switch the default at the same time."""
    User.objects.select_for_update().filter(pk=owner.pk).first()


def _holder_name(owner: User, info: dict) -> str:
    return (info.get("account_holder_name") or owner.name or owner.email)[:150]


def _clear_default(*, owner: User, payment_method: str, keep: PayoutAccount | None = None) -> None:
    others = PayoutAccount.objects.filter(owner=owner, payment_method=payment_method, is_default=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    others.update(is_default=False, updated_at=timezone.now())


@transaction.atomic
def payout_account_create(
    *, owner: User, payment_method: str, info: dict, remark: str = "", is_default: bool | None = None
) -> PayoutAccount:
    """Register a payout account with the details of its method (see `funds.payout_info`).

    `is_default` None: the account becomes the default when the owner has none for that method yet.
    400 `invalid_input` for missing or invalid details.
    """
    if payment_method not in FundingMethod.values:
        raise invalid_input({"payment_method": [_("Unknown payment method.")]})
    cleaned, network = payout_info_clean(payment_method=payment_method, info=info)
    _lock_owner(owner)
    if is_default is None:
        is_default = not PayoutAccount.objects.filter(
            owner=owner, payment_method=payment_method, is_default=True, is_deleted=False
        ).exists()
    if is_default:
        _clear_default(owner=owner, payment_method=payment_method)
    account = PayoutAccount.objects.create(
        owner=owner,
        payment_method=payment_method,
        network=network,
        account_holder_name=_holder_name(owner, cleaned),
        remark=remark,
        is_default=is_default,
        **{INFO_FIELDS[payment_method]: cleaned},
    )
    audit_record(
        actor=owner,
        action="payout_account.created",
        target=account,
        data={"payment_method": payment_method, "is_default": is_default},
    )
    return account


@transaction.atomic
def payout_account_update(
    *,
    owner: User,
    account_id: int,
    info: dict | None = None,
    is_default: bool | None = None,
    remark: str | None = None,
) -> PayoutAccount:
    """Change what is given (None: unchanged). `info` replaces the details of the account's method
    whole; `is_default` True makes it the default for its method (the previous one stops being it),
    False leaves the method without a default. 404 `payout_account_not_found`, 400 `invalid_input`."""
    _lock_owner(owner)
    account = payout_account_get(owner=owner, account_id=account_id, for_update=True)
    changed: list[str] = []
    if info is not None:
        cleaned, network = payout_info_clean(payment_method=account.payment_method, info=info)
        setattr(account, INFO_FIELDS[account.payment_method], cleaned)
        account.network = network
        account.account_holder_name = _holder_name(owner, cleaned)
        changed += [INFO_FIELDS[account.payment_method], "network", "account_holder_name"]
    if remark is not None and remark != account.remark:
        account.remark = remark
        changed.append("remark")
    if is_default is not None and is_default != account.is_default:
        if is_default:
            _clear_default(owner=owner, payment_method=account.payment_method, keep=account)
        account.is_default = is_default
        changed.append("is_default")
    if changed:
        account.save(update_fields=[*changed, "updated_at"])
        audit_record(actor=owner, action="payout_account.updated", target=account, data={"changed": changed})
    return account


@transaction.atomic
def payout_account_delete(*, owner: User, account_id: int) -> None:
    """Hide the account from its owner for good; withdrawals that used it keep it. A deleted default
    leaves its method without one. 404 `payout_account_not_found`."""
    account = payout_account_get(owner=owner, account_id=account_id, for_update=True)
    account.is_deleted, account.is_default, account.deleted_at = True, False, timezone.now()
    account.save(update_fields=["is_deleted", "is_default", "deleted_at", "updated_at"])
    audit_record(actor=owner, action="payout_account.deleted", target=account)
