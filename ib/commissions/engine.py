"""The commission run: mirrored deals past the watermark become commission lines, batch by batch.

Each batch is one transaction holding the lock on the one `CommissionRunState` row: it takes the
next `batch_size` deal ids above `last_deal_id`, writes all their lines with one `INSERT … SELECT`
(`sql.py`), and moves the watermark. Mirror ids only grow, so a deal synced late — even one closed
long ago — lands above the watermark and is computed; the close time only picks the attribution
and the plan version. A second worker waits on the lock, then finds the watermark moved. On
PostgreSQL a run first waits for the mirror's inserts in flight (`_committed_horizon`), so a
lower id committed after a higher one is never left behind the watermark.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from clients.trading.models import ClosedDeal
from crm.audit.services import audit_record
from ib.commissions import sql
from ib.models import CommissionRunState

RUN_STATE_ID = 1


def _run_state_locked() -> CommissionRunState:
    """The run state row, locked until the transaction ends (created on the first run)."""
    try:
        with transaction.atomic():
            CommissionRunState.objects.get_or_create(pk=RUN_STATE_ID)
    except IntegrityError:  # another worker created it at the same moment
        pass
    return CommissionRunState.objects.select_for_update().get(pk=RUN_STATE_ID)


def _execute(statement: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _roomy_sorts() -> None:
    """Let PostgreSQL sort a batch's candidate lines in memory rather than spill them to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")


def _committed_horizon() -> int | None:
    """On PostgreSQL, the highest deal id below which every insert has committed (None: any).

    Ids come from a sequence at insert time, so a sync still running may hold a lower id than one
    already committed; moving the watermark past it would skip it for ever. SHARE mode waits for
    the inserts in flight (they hold ROW EXCLUSIVE) and is released at once; any later insert gets
    a higher id. SQLite has one writer at a time, and the batch's own transaction is it.
    """
    if connection.vendor != "postgresql":
        return None
    deal = sql.table(ClosedDeal)
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {deal} IN SHARE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {deal}")  # noqa: S608 (model tables)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _batch_end(*, after: int, batch_size: int, horizon: int | None) -> int | None:
    """The highest id among the next `batch_size` mirrored deals above `after`, not past
    `horizon` (None: no deals left)."""
    below = "" if horizon is None else " AND id <= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id) FROM (SELECT id FROM {sql.table(ClosedDeal)} WHERE id > %s{below}"  # noqa: S608 (model tables, bound values)
            " ORDER BY id LIMIT %s) batch",
            [after, *([] if horizon is None else [horizon]), batch_size],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] is not None else None


def _compute_batch(*, batch_size: int, horizon: int | None) -> tuple[int, bool]:
    """(lines written, whether deals were left to do)."""
    with transaction.atomic(durable=True):
        state = _run_state_locked()
        after = state.last_deal_id
        end = _batch_end(after=after, batch_size=batch_size, horizon=horizon)
        if end is None:
            return 0, False
        now = timezone.now()
        _roomy_sorts()
        written = _execute(
            sql.insert_lines_sql(deal_filter="d.id > %(after)s AND d.id <= %(end)s"),
            sql.params(after=after, end=end, now=now),
        )
        state.last_deal_id, state.last_run_at = end, now
        state.save(update_fields=["last_deal_id", "last_run_at"])
        audit_record(
            actor=None,
            action="commissions.computed",
            target=state,
            data={"after_deal_id": after, "up_to_deal_id": end, "lines": written},
        )
        return written, True


def commissions_compute(*, batch_size: int = 50_000) -> int:
    """Write the commission lines of every mirrored deal not computed yet; returns lines written.

    Safe to run twice and concurrently: batches are serialised by the run state lock, and the
    unique key of a line ignores a line already written.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    horizon = _committed_horizon()
    total = 0
    while True:
        written, had_deals = _compute_batch(batch_size=batch_size, horizon=horizon)
        total += written
        if not had_deals:
            return total


@transaction.atomic(durable=True)
def commissions_reverse_changed() -> int:
    """Reverse the lines of deals corrected or deleted on the platform since they were priced, and
    price the corrected ones again at their new revision. Returns lines written (both kinds).

    Lines already gathered into a payout are not touched: their reversal, unpaid, goes into the
    IB's next payout. Under the run state lock, so it never interleaves with a batch of the run.
    """
    state = _run_state_locked()
    _roomy_sorts()
    now = timezone.now()
    params = sql.params(now=now)
    reversals = _execute(sql.insert_reversals_sql(), params)
    if not reversals:
        return 0
    fresh = _execute(sql.insert_lines_sql(deal_filter=sql.reversed_now_filter()), params)
    audit_record(
        actor=None,
        action="commissions.reversed",
        target=state,
        data={"reversals": reversals, "fresh_lines": fresh},
    )
    return reversals + fresh
