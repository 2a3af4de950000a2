"""The payout run: every IB's unpaid commission lines gathered into one pending payout.

One grouped SELECT finds the IBs whose unpaid lines sum above zero. They are then settled by chunks
of `CHUNK` IBs, each chunk in one short transaction of a handful of set-based statements:

1. lock the chunk's IBs (`select_for_update`, in pk order), so two runs at once queue on them;
2. sum their unpaid lines again under the lock (one grouped SELECT), and read their rebate
   accounts and plans' minimums: what a concurrent run took is no longer there;
3. create the due payouts (one INSERT), attach exactly the summed lines (one conditional UPDATE:
   `payout IS NULL AND id <= the max id summed`, per IB), and check, with one grouped SELECT, that
   each payout's attached lines sum to its amount;
4. write each payout's first event and audit row (two INSERTs).

If a check fails (a line the engine committed late slipped under an IB's max id), the chunk is
rolled back and its IBs are settled one by one (`_aggregate_one`, the same steps for one IB); an IB
whose check fails again is rolled back alone and its lines wait for the next run. A line is
attached only while its payout is NULL, so nothing is ever paid twice.

Lines in another currency than the IB's rebate account are not converted: they wait and the run
logs them. Rates are what plans are priced in, and a conversion at payout time would pay an amount
the IB never saw on their rebate records; staff fix the setup (a rebate account in the plan's
currency) instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from clients.trading.models import TradingAccount
from crm.audit.models import AuditEntry
from crm.configuration.models import Currency
from crm.redaction import redacted
from funds.movements.services import ORDER_NUMBER_ATTEMPTS, order_number_new
from ib.models import CommissionLine, IbProfile, RebatePayout, RebatePayoutEvent
from ib.payouts import selectors
from ib.payouts.selectors import UnpaidTotal

logger = logging.getLogger(__name__)

ORDER_NUMBER_PREFIX = "R"
CHUNK = 500
ZERO = Decimal("0")
ACTION = "aggregated"


class _AttachedSumMismatch(Exception):
    """Rolls back payouts whose attached lines are not what was summed."""


@dataclass(frozen=True)
class _Due:
    unpaid: UnpaidTotal
    user_id: int
    account: TradingAccount


def payouts_aggregate(*, now: datetime | None = None) -> list[int]:
    """Create a pending payout for every IB whose unpaid lines are due; returns the new payouts' ids.

    Due: the sum (reversals included) is above zero at the currency's precision, reaches the
    minimum payout of the current published version of the IB's plan, and the IB has an enabled
    rebate account (live, active) in the lines' currency. Anything else waits for the next run.
    Never call it inside a transaction: each chunk of IBs gets its own.
    """
    now = now or timezone.now()
    ib_ids = sorted({candidate.ib_id for candidate in selectors.unpaid_totals()})
    precisions = dict(Currency.objects.values_list("code", "precision"))
    created: list[int] = []
    for start in range(0, len(ib_ids), CHUNK):
        chunk = ib_ids[start : start + CHUNK]
        try:
            created += _aggregate_chunk(chunk, now=now, precisions=precisions)
        except _AttachedSumMismatch as mismatch:
            logger.info("payout chunk rolled back (%s); settling its IBs one by one", mismatch)
            created += [
                payout_id
                for ib_id in chunk
                if (payout_id := _aggregate_one(ib_id, now=now, precisions=precisions)) is not None
            ]
    if created:
        logger.info("aggregated %s rebate payouts", len(created))
    return created


def _is_due(total: Decimal | None, precision: int, minimum: Decimal) -> bool:
    """Above zero even at the currency's precision (what the platform can credit), and at least the minimum."""
    if total is None or total <= 0 or total < minimum:
        return False
    return total.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP) > 0


def _due_under_lock(ib_ids: Sequence[int], *, now: datetime, precisions: dict[str, int]) -> list[_Due]:
    """Lock the IBs (pk order) and read what each is owed now: at most one due sum per IB."""
    profiles = list(
        IbProfile.objects.select_for_update()
        .filter(pk__in=ib_ids)
        .order_by("pk")
        .values_list("pk", "user_id", "plan_id")
    )
    minimums = selectors.current_minimum_payouts(
        plan_ids={plan_id for _pk, _user, plan_id in profiles if plan_id is not None}, now=now
    )
    accounts = {account.ib_id: account.trading_account for account in selectors.usable_rebate_accounts(ib_ids=ib_ids)}
    owed = selectors.unpaid_totals_of(ib_ids=ib_ids)
    due = []
    for ib_id, user_id, plan_id in profiles:
        account = accounts.get(ib_id)
        if account is None:
            continue  # no enabled rebate account: the lines wait
        for unpaid in owed.get(ib_id, []):
            if unpaid.currency != account.currency:
                if unpaid.total is not None and unpaid.total > 0:
                    logger.warning(
                        "IB %s: %s %s unpaid, but its rebate account is in %s; the lines wait",
                        ib_id,
                        unpaid.total,
                        unpaid.currency,
                        account.currency,
                    )
                continue
            if unpaid.currency not in precisions:
                logger.warning("IB %s: unpaid lines in %s, a currency we do not know", ib_id, unpaid.currency)
                continue
            minimum = minimums.get(plan_id, ZERO) if plan_id is not None else ZERO
            if _is_due(unpaid.total, precisions[unpaid.currency], minimum):
                due.append(_Due(unpaid=unpaid, user_id=user_id, account=account))
    return due


def _aggregate_chunk(ib_ids: Sequence[int], *, now: datetime, precisions: dict[str, int]) -> list[int]:
    with transaction.atomic(durable=True):
        due = _due_under_lock(ib_ids, now=now, precisions=precisions)
        if not due:
            return []
        payouts = _create_payouts(due, now=now)
        _attach(payouts, due)
        _record_created(payouts, due)
        return [payout.pk for payout in payouts]


def _aggregate_one(ib_id: int, *, now: datetime, precisions: dict[str, int]) -> int | None:
    try:
        created = _aggregate_chunk([ib_id], now=now, precisions=precisions)
    except _AttachedSumMismatch as mismatch:
        logger.warning("IB %s: %s; rolled back, the lines wait for the next run", ib_id, mismatch)
        return None
    return created[0] if created else None


def _order_numbers(count: int, *, now: datetime) -> list[str]:
    """`count` order numbers no payout has yet (a concurrent run may still take one: the insert retries)."""
    numbers: set[str] = set()
    while len(numbers) < count:
        fresh = {order_number_new(prefix=ORDER_NUMBER_PREFIX, now=now) for _index in range(count - len(numbers))}
        taken = set(RebatePayout.objects.filter(order_number__in=fresh).values_list("order_number", flat=True))
        numbers |= fresh - taken
    return sorted(numbers)


def _create_payouts(due: list[_Due], *, now: datetime) -> list[RebatePayout]:
    for _attempt in range(ORDER_NUMBER_ATTEMPTS):
        numbers = _order_numbers(len(due), now=now)
        payouts = [
            RebatePayout(
                order_number=number,
                ib_id=item.unpaid.ib_id,
                user_id=item.user_id,
                rebate_account=item.account,
                amount=item.unpaid.total,
                currency=item.unpaid.currency,
                line_count=item.unpaid.line_count,
                status=RebatePayout.Status.PENDING,
            )
            for number, item in zip(numbers, due, strict=True)
        ]
        try:
            with transaction.atomic():
                return RebatePayout.objects.bulk_create(payouts)
        except IntegrityError:
            continue  # an order number taken meanwhile: draw again
    raise RuntimeError("Could not find free order numbers.")


def _attach(payouts: list[RebatePayout], due: list[_Due]) -> None:
    """Attach exactly the summed lines of every payout (one conditional UPDATE), then check each sum."""
    attached = _attach_statement([(item.unpaid, payout.pk) for item, payout in zip(due, payouts, strict=True)])
    sums = {
        row["payout_id"]: (row["total"], row["count"])
        for row in CommissionLine.objects.filter(payout__in=payouts)
        .values("payout_id")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by()
    }
    expected = sum(item.unpaid.line_count for item in due)
    wrong = [payout.pk for payout in payouts if sums.get(payout.pk) != (payout.amount, payout.line_count)]
    if wrong or attached != expected:
        raise _AttachedSumMismatch(f"attached {attached} lines for {expected}; sums differ for payouts {wrong}")


def _attach_statement(targets: list[tuple[UnpaidTotal, int]]) -> int:
    """`UPDATE lines SET payout = v.payout FROM (VALUES (ib, currency, max id, payout), …) v WHERE the line is
    that IB's, in that currency, unpaid and at most that id`: one statement joined to the chunk's values
    (an ORM CASE over hundreds of IBs costs a comparison per IB per line). PostgreSQL and SQLite (3.33+)
    both name a VALUES list's columns column1, column2, …"""
    table = connection.ops.quote_name(CommissionLine._meta.db_table)
    row = "(CAST(%s AS bigint), CAST(%s AS varchar(8)), CAST(%s AS bigint), CAST(%s AS bigint))"
    sql = (
        f"UPDATE {table} SET payout_id = v.column4 "  # noqa: S608 (a quoted table name and placeholders only)
        f"FROM (VALUES {', '.join([row] * len(targets))}) AS v "
        f"WHERE {table}.ib_id = v.column1 AND {table}.currency = v.column2 "
        f"AND {table}.id <= v.column3 AND {table}.payout_id IS NULL"
    )
    params = [
        value
        for unpaid, payout_id in targets
        for value in (unpaid.ib_id, unpaid.currency, unpaid.max_line_id, payout_id)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _record_created(payouts: list[RebatePayout], due: list[_Due]) -> None:
    """Each payout's first event and audit row, as `movement_event_record` writes them, in two INSERTs."""
    target_type = ContentType.objects.get_for_model(RebatePayout)
    events, audits = [], []
    for payout, item in zip(payouts, due, strict=True):
        data = {"lines": item.unpaid.line_count, "max_line_id": item.unpaid.max_line_id, "amount": str(payout.amount)}
        events.append(RebatePayoutEvent(payout=payout, from_status="", to_status=payout.status, actor=None, data=data))
        audits.append(
            AuditEntry(
                actor=None,
                action=f"rebatepayout.{ACTION}",
                target_type=target_type,
                target_id=str(payout.pk),
                target_repr=str(payout)[:200],
                data=redacted({"from": "", "to": payout.status, **data}),
            )
        )
    RebatePayoutEvent.objects.bulk_create(events)
    AuditEntry.objects.bulk_create(audits)
