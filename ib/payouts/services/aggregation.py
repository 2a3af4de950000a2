"""The payout run: every IB's unpaid commission lines gathered into one pending payout.

One grouped SELECT finds the IBs whose unpaid lines sum above zero; then each IB is settled in its
own short transaction (IBs in pk order, each locked with `select_for_update`, so two runs at once
queue on the IB and the second finds nothing left): the sum is read again under the lock, the
payout is created, and exactly those lines are attached with one conditional UPDATE (`payout IS
NULL AND id <= max id`). If the attached lines do not sum to the payout's amount (a line committed
late by the engine slipped under the max id), that IB's transaction is rolled back and its lines
wait for the next run. Nothing is paid twice: a line is attached only while its payout is NULL.

Lines in another currency than the IB's rebate account are not converted: they wait and the run
logs them. Rates are what plans are priced in, and a conversion at payout time would pay an amount
the IB never saw on their rebate records; staff fix the setup (a rebate account in the plan's
currency) instead.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from crm.configuration.models import Currency
from funds.movements.services import movement_create_numbered, movement_event_record
from ib.models import CommissionLine, IbProfile, RebatePayout
from ib.payouts import selectors
from ib.payouts.selectors import UnpaidTotal

logger = logging.getLogger(__name__)

ORDER_NUMBER_PREFIX = "R"
CHUNK = 500
ZERO = Decimal("0")


class _AttachedSumMismatch(Exception):
    """Rolls back one IB's payout whose attached lines are not what was summed."""


def payouts_aggregate(*, now: datetime | None = None) -> list[int]:
    """Create a pending payout for every IB whose unpaid lines are due; returns the new payouts' ids.

    Due: the sum (reversals included) is above zero at the currency's precision, reaches the
    minimum payout of the current published version of the IB's plan, and the IB has an enabled
    rebate account (live, active) in the lines' currency. Anything else waits for the next run.
    Never call it inside a transaction: each IB gets its own.
    """
    now = now or timezone.now()
    candidates = selectors.unpaid_totals()
    precisions = dict(Currency.objects.values_list("code", "precision"))
    created: list[int] = []
    for start in range(0, len(candidates), CHUNK):
        created += _aggregate_chunk(candidates[start : start + CHUNK], now=now, precisions=precisions)
    if created:
        logger.info("aggregated %s rebate payouts", len(created))
    return created


def _aggregate_chunk(candidates: list[UnpaidTotal], *, now: datetime, precisions: dict[str, int]) -> list[int]:
    ib_ids = sorted({candidate.ib_id for candidate in candidates})
    plans = selectors.plans_of(ib_ids=ib_ids)
    minimums = selectors.current_minimum_payouts(
        plan_ids={plan_id for plan_id in plans.values() if plan_id is not None}, now=now
    )
    account_currencies = dict(
        selectors.usable_rebate_accounts(ib_ids=ib_ids).values_list("ib_id", "trading_account__currency")
    )
    created = []
    for candidate in candidates:
        currency = account_currencies.get(candidate.ib_id)
        if currency is None:
            continue  # no enabled rebate account: the lines wait
        if currency != candidate.currency:
            logger.warning(
                "IB %s: %s %s unpaid, but its rebate account is in %s; the lines wait",
                candidate.ib_id,
                candidate.total,
                candidate.currency,
                currency,
            )
            continue
        if candidate.currency not in precisions:
            logger.warning("IB %s: unpaid lines in %s, a currency we do not know", candidate.ib_id, candidate.currency)
            continue
        plan_id = plans.get(candidate.ib_id)
        minimum = minimums.get(plan_id, ZERO) if plan_id is not None else ZERO
        precision = precisions[candidate.currency]
        if not _is_due(candidate.total, precision, minimum):
            continue
        payout_id = _aggregate_one(
            ib_id=candidate.ib_id, currency=candidate.currency, precision=precision, minimum=minimum, now=now
        )
        if payout_id is not None:
            created.append(payout_id)
    return created


def _is_due(total: Decimal | None, precision: int, minimum: Decimal) -> bool:
    """Above zero even at the currency's precision (what the platform can credit), and at least the minimum."""
    if total is None or total <= 0 or total < minimum:
        return False
    return total.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP) > 0


def _aggregate_one(*, ib_id: int, currency: str, precision: int, minimum: Decimal, now: datetime) -> int | None:
    try:
        with transaction.atomic(durable=True):
            ib = IbProfile.objects.select_for_update().filter(pk=ib_id).first()
            if ib is None:
                return None
            unpaid = selectors.unpaid_total_of(ib_id=ib_id, currency=currency)
            if unpaid is None or not _is_due(unpaid.total, precision, minimum):
                return None  # another run took them meanwhile
            account = selectors.usable_rebate_accounts(ib_ids=[ib_id]).first()
            if account is None or account.trading_account.currency != currency:
                return None
            payout = movement_create_numbered(
                model=RebatePayout,
                prefix=ORDER_NUMBER_PREFIX,
                now=now,
                ib=ib,
                user_id=ib.user_id,
                rebate_account=account.trading_account,
                amount=unpaid.total,
                currency=currency,
                line_count=unpaid.line_count,
                status=RebatePayout.Status.PENDING,
            )
            attached = _attach(payout, unpaid)
            movement_event_record(
                movement=payout,
                action="aggregated",
                from_status="",
                actor=None,
                data={"lines": unpaid.line_count, "max_line_id": unpaid.max_line_id, "amount": str(unpaid.total)},
            )
            assert attached == unpaid.line_count
            return payout.pk
    except _AttachedSumMismatch as mismatch:
        logger.warning("IB %s: %s; rolled back, the lines wait for the next run", ib_id, mismatch)
        return None


def _attach(payout: RebatePayout, unpaid: UnpaidTotal) -> int:
    """Attach exactly the summed lines (one conditional UPDATE), then check what was attached."""
    attached = (
        selectors.unpaid_lines(ib_id=unpaid.ib_id, currency=unpaid.currency)
        .filter(id__lte=unpaid.max_line_id)
        .update(payout=payout)
    )
    check = CommissionLine.objects.filter(payout=payout).aggregate(total=Sum("amount"), count=Count("id"))
    if (check["total"], check["count"]) != (unpaid.total, unpaid.line_count) or attached != unpaid.line_count:
        raise _AttachedSumMismatch(
            f"attached {check['count']} lines summing {check['total']}, "
            f"expected {unpaid.line_count} summing {unpaid.total}"
        )
    return attached
