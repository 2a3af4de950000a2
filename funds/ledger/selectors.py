"""Reads of the ledger: balances are always derived from the entries."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from funds.ledger.models import Entry, Journal, LedgerAccount

ZERO = Decimal(0)
ENTRY_PLACES = Decimal("1E-8")  # Entry.amount has 8 decimal places


def _exact(total: Decimal | None) -> Decimal:
    """SQLite sums decimals in floating point; entries have 8 places, so their sum has too."""
    return (total or ZERO).quantize(ENTRY_PLACES)


def _normal_side(account: LedgerAccount, total: Decimal) -> Decimal:
    return -total if account.is_credit_normal else total


def ledger_balance(*, account: LedgerAccount) -> Decimal:
    """The account's balance on its normal side (credit for clients' money and income, debit otherwise)."""
    total = _exact(Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"])
    return _normal_side(account, total) + ZERO  # + 0 turns -0 into 0


def ledger_balances(*, accounts: Iterable[LedgerAccount]) -> dict[int, Decimal]:
    """`ledger_balance` of many accounts in one query, by account id (0 for accounts without entries)."""
    accounts = list(accounts)
    totals = dict(
        Entry.objects.filter(account__in=accounts)
        .values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    return {account.pk: _normal_side(account, _exact(totals.get(account.pk))) + ZERO for account in accounts}


def ledger_fingerprint(*, account_ids: Iterable[int]) -> dict[int, tuple[int, Decimal]]:
    """(entry count, raw sum) per account: equal before and after means nothing was posted in between."""
    rows = (
        Entry.objects.filter(account_id__in=list(account_ids))
        .values("account")
        .annotate(count=Count("id"), total=Sum("amount"))
        .values_list("account", "count", "total")
    )
    return {account_id: (count, _exact(total)) for account_id, count, total in rows}


def client_trading_account_of(*, trading_account_id: int) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(
        kind=LedgerAccount.Kind.CLIENT_TRADING, trading_account_id=trading_account_id
    ).first()


def journals_for(*, reference: str) -> QuerySet[Journal]:
    """The journals posted for one object (`app.model:id`), oldest first, with their entries."""
    return (
        Journal.objects.filter(reference=reference)
        .order_by("id")
        .prefetch_related("entries__account")
        .select_related("created_by")
    )
