"""The bare statement of the IB benchmark: one `INSERT … SELECT` writing the commission lines of every
mirrored deal into a scratch table, by the plan rules of `ib/models/plans.py` (the engine's rules,
written once as plainly as SQL allows). It is the yardstick the engine's run is compared with.

Portable: PostgreSQL and SQLite ≥ 3.35 (window functions). The rules, per deal: the client's IB at
the close time (attribution period), its plan's newest published version applying then, the chain
of that IB and its ancestors (level = depth), at each level the most specific rate (symbol override,
then symbol group, then any group; an account type match before any type), suspended IBs skipped,
amount = per lot × lots + % of |commission| + % of spread cost rounded to cents, and the cap per lot
across levels paid from level 0 upward (the level crossing it gets the remainder). No zero lines.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

SCRATCH_LINES = "bench_commission_line"
SCRATCH_DEALS = "bench_deal_copy"

LINE_COLUMNS = (
    "deal_id, deal_revision, ib_id, client_id, level, kind, plan_version_id, rate_id, lots, amount, currency, "
    "calculated_at"
)

SELECT_LINES = """
WITH deals AS (
    SELECT d.id, d.revision, d.symbol, d.symbol_group, d.volume_lots, d.commission, d.spread_cost, d.close_time,
           a.user_id AS client_id, a.account_type_id
    FROM trading_closeddeal d
    JOIN trading_tradingaccount a ON a.id = d.trading_account_id
    WHERE d.id > %(after)s AND d.id <= %(upto)s AND d.vanished_at IS NULL
),
versions AS (
    SELECT v.id, v.plan_id, v.cap_per_lot, v.effective_from,
           LEAD(v.effective_from) OVER (PARTITION BY v.plan_id ORDER BY v.effective_from) AS effective_to
    FROM ib_rebateplanversion v
    WHERE v.status = 'published'
),
owned AS (
    SELECT d.*, c.ib_id AS direct_ib_id, v.id AS version_id, v.cap_per_lot, p.currency
    FROM deals d
    JOIN ib_clientattribution c
      ON c.client_id = d.client_id AND c.effective_from <= d.close_time
     AND (c.effective_to IS NULL OR d.close_time < c.effective_to)
    JOIN ib_ibprofile direct ON direct.id = c.ib_id
    JOIN ib_rebateplan p ON p.id = direct.plan_id
    JOIN versions v
      ON v.plan_id = direct.plan_id AND v.effective_from <= d.close_time
     AND (v.effective_to IS NULL OR d.close_time < v.effective_to)
),
matched AS (
    SELECT o.id, o.revision, o.client_id, o.volume_lots, o.commission, o.spread_cost, o.version_id, o.cap_per_lot,
           o.currency, chain.ancestor_id AS receiver_id, chain.depth AS level, r.id AS rate_id, r.per_lot,
           r.commission_percent, r.spread_percent,
           ROW_NUMBER() OVER (
               PARTITION BY o.id, chain.depth
               ORDER BY (r.symbol <> '') DESC, (r.symbol_group <> '') DESC, (r.account_type_id IS NOT NULL) DESC
           ) AS pick
    FROM owned o
    JOIN ib_ibancestry chain ON chain.ib_id = o.direct_ib_id
    JOIN ib_rebaterate r
      ON r.version_id = o.version_id AND r.level = chain.depth
     AND (r.symbol = '' OR r.symbol = o.symbol)
     AND (r.symbol_group = '' OR r.symbol_group = o.symbol_group)
     AND (r.account_type_id IS NULL OR r.account_type_id = o.account_type_id)
),
earned AS (
    SELECT m.*,
           ROUND(m.per_lot * m.volume_lots + m.commission_percent / 100.0 * ABS(m.commission)
                 + m.spread_percent / 100.0 * m.spread_cost, 2) AS raw
    FROM matched m
    JOIN ib_ibprofile receiver ON receiver.id = m.receiver_id
    WHERE m.pick = 1 AND receiver.status = 'active'
),
capped AS (
    SELECT e.*,
           SUM(e.raw) OVER (PARTITION BY e.id ORDER BY e.level ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS running
    FROM earned e
),
paid AS (
    SELECT c.*,
           ROUND(CASE WHEN c.cap_per_lot IS NULL OR c.running <= c.cap_per_lot * c.volume_lots THEN c.raw
                      ELSE c.cap_per_lot * c.volume_lots - (c.running - c.raw) END, 2) AS amount
    FROM capped c
)
SELECT id, revision, receiver_id, client_id, level, 'commission', version_id, rate_id, volume_lots, amount, currency,
       %(now)s
FROM paid
WHERE amount > 0
"""


def scratch_tables_create() -> None:
    """Empty tables shaped like the mirror's and the engine's (same columns; on PostgreSQL the same
    indexes and checks too, so writing them costs what writing the real ones does, foreign keys aside)."""
    with connection.cursor() as cursor:
        for scratch, model_table in ((SCRATCH_DEALS, "trading_closeddeal"), (SCRATCH_LINES, "ib_commissionline")):
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE {scratch} (LIKE {model_table} INCLUDING ALL)")
            else:
                cursor.execute(f"CREATE TABLE {scratch} AS SELECT * FROM {model_table} WHERE 0")  # noqa: S608


def scratch_tables_drop() -> None:
    with connection.cursor() as cursor:
        for scratch in (SCRATCH_DEALS, SCRATCH_LINES):
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")


def bare_commission_lines(*, now: datetime, after: int = 0, upto: int = 2**62) -> int:
    """Write the lines of the deals with after < id ≤ upto into the scratch table; returns the rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {SCRATCH_LINES} ({LINE_COLUMNS}) {SELECT_LINES}",  # noqa: S608
            {"after": after, "upto": upto, "now": connection.ops.adapt_datetimefield_value(now)},
        )
        return cursor.rowcount


def lines_summary(table: str) -> tuple[int, str]:
    """(rows, sum of amounts as text to the cent) of a commission line table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM {table} WHERE kind = 'commission'")  # noqa: S608
        count, total = cursor.fetchone()
    return count, f"{float(total):.2f}" if connection.vendor == "sqlite" else f"{total:.2f}"
