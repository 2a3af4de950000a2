"""What the payout run and the back office read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum

from clients.trading.models import TradingAccount
from ib.models import CommissionLine, RebateAccount, RebatePayout, RebatePlanVersion


@dataclass(frozen=True)
class UnpaidTotal:
    """One IB's unpaid lines in one currency, as one grouped SELECT sees them."""

    ib_id: int
    currency: str
    total: Decimal
    line_count: int
    max_line_id: int


def unpaid_lines(*, ib_id: int, currency: str) -> QuerySet[CommissionLine]:
    return CommissionLine.objects.filter(ib_id=ib_id, currency=currency, payout__isnull=True)


def unpaid_totals(*, positive_only: bool = True) -> list[UnpaidTotal]:
    """Every IB's unpaid lines summed per currency (reversals included: they are negative), in IB
    order; with `positive_only`, only sums above zero (a negative sum waits for more commission)."""
    rows = (
        CommissionLine.objects.filter(payout__isnull=True)
        .values("ib_id", "currency")
        .annotate(total=Sum("amount"), line_count=Count("id"), max_line_id=Max("id"))
        .order_by("ib_id", "currency")
    )
    if positive_only:
        rows = rows.filter(total__gt=0)
    return [UnpaidTotal(**row) for row in rows]


def unpaid_totals_of(*, ib_ids: Sequence[int]) -> dict[int, list[UnpaidTotal]]:
    """The same sums for these IBs (every currency, whatever the sign), read again under their locks."""
    rows = (
        CommissionLine.objects.filter(payout__isnull=True, ib_id__in=ib_ids)
        .values("ib_id", "currency")
        .annotate(total=Sum("amount"), line_count=Count("id"), max_line_id=Max("id"))
        .order_by("ib_id", "currency")
    )
    totals: dict[int, list[UnpaidTotal]] = {}
    for row in rows:
        totals.setdefault(row["ib_id"], []).append(UnpaidTotal(**row))
    return totals


def current_minimum_payouts(*, plan_ids: set[int], now: datetime) -> dict[int, Decimal]:
    """Each plan's minimum payout, from its current published version (the latest one in effect at
    `now`). A plan without such a version is absent: nothing sets a minimum for it."""
    versions = (
        RebatePlanVersion.objects.filter(
            plan_id__in=plan_ids, status=RebatePlanVersion.Status.PUBLISHED, effective_from__lte=now
        )
        .order_by("plan_id", "-effective_from", "-number")
        .values_list("plan_id", "minimum_payout")
    )
    minimums: dict[int, Decimal] = {}
    for plan_id, minimum in versions:
        minimums.setdefault(plan_id, minimum)
    return minimums


def usable_rebate_accounts(*, ib_ids: Sequence[int] | None = None) -> QuerySet[RebateAccount]:
    """Enabled rebate accounts whose trading account is live and active: where payouts can go."""
    accounts = RebateAccount.objects.filter(
        is_enabled=True, trading_account__is_demo=False, trading_account__status=TradingAccount.Status.ACTIVE
    ).select_related("trading_account__server")
    if ib_ids is not None:
        accounts = accounts.filter(ib_id__in=ib_ids)
    return accounts


def payouts_for_queue() -> QuerySet[RebatePayout]:
    """The back office's list: every payout with what its row shows."""
    return RebatePayout.objects.select_related("ib__user", "user", "rebate_account", "decided_by", "operation")
