"""The one SQL statement that prices deals into commission lines, shared by the run, the
reversal pass, the preview and the benchmark.

`lines_sql(deals=…, versions=…)` returns the `WITH …` chain whose last relation, `capped`, holds
one row per (deal, earning IB) with `paid_c`, the amount in cents. The callers put an `INSERT`
or an aggregate on top of it. The rules it encodes are described in `ib/commissions/__init__.py`.

Arithmetic is in integers on both backends, so PostgreSQL (exact NUMERIC) and SQLite (which keeps
decimals as binary floats) give the same cents: every figure is first turned into an integer
count of its own smallest unit — lots and money in hundredths, rates and percents in ten
thousandths — by `CAST(ROUND(x * 10^places) AS BIGINT)`, which is exact for the columns' scales.
Then, in units of 1e-8 of the plan currency:

    per_lot_u × lots_c × 100  +  commission_percent_u × |commission|_c  +  spread_percent_u × spread_c

and the total is rounded half up (away from zero) to cents with integer division. The cap is
`cap_per_lot × lots` rounded half up to cents the same way.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from clients.trading.models import ClosedDeal, TradingAccount
from ib.models import (
    ClientAttribution,
    CommissionLine,
    IbAncestry,
    IbProfile,
    RebatePlan,
    RebatePlanVersion,
    RebateRate,
)

# Which published version applies to a deal: the newest one (by effective_from, then number)
# whose effective_from is not after the close time. LEAD gives each version the start of the
# next one, so a deal matches exactly one span.
PUBLISHED_VERSIONS = """
    SELECT v.id AS version_id, v.plan_id, v.effective_from,
           LEAD(v.effective_from) OVER (PARTITION BY v.plan_id ORDER BY v.effective_from, v.number) AS effective_to,
           CAST(ROUND(v.cap_per_lot * 10000) AS BIGINT) AS cap_u
    FROM {version} v
    WHERE v.status = 'published'
"""
PUBLISHED_VERSION_MATCH = (
    "vs.plan_id = p.id AND vs.effective_from <= deal.close_time"
    " AND (vs.effective_to IS NULL OR vs.effective_to > deal.close_time)"
)

# The preview forces one version (`%(version_id)s`) on every deal of IBs on its plan.
FORCED_VERSION = """
    SELECT v.id AS version_id, v.plan_id, CAST(ROUND(v.cap_per_lot * 10000) AS BIGINT) AS cap_u
    FROM {version} v
    WHERE v.id = %(version_id)s
"""
FORCED_VERSION_MATCH = "vs.plan_id = p.id"

# Precedence of rates at one level: a symbol override (4) beats a symbol group (2) beats any
# group; within each, an account-type rate (1) beats an any-type one. Ties (two equally specific
# rates, possible only with an empty account type) go to the lowest rate id.
RATE_SPECIFICITY = (
    "(CASE WHEN r.symbol <> '' THEN 4 ELSE 0 END)"
    " + (CASE WHEN r.symbol_group <> '' THEN 2 ELSE 0 END)"
    " + (CASE WHEN r.account_type_id IS NOT NULL THEN 1 ELSE 0 END)"
)

LINES = """
WITH
deal AS (
    SELECT d.id AS deal_id, d.revision, d.close_time, d.symbol, d.symbol_group, d.volume_lots AS lots,
           CAST(ROUND(d.volume_lots * 100) AS BIGINT) AS lots_c,
           CAST(ROUND(ABS(d.commission) * 100) AS BIGINT) AS commission_c,
           CAST(ROUND(d.spread_cost * 100) AS BIGINT) AS spread_c,
           a.user_id AS client_id, a.account_type_id, a.currency AS account_currency
    FROM {deal} d
    JOIN {account} a ON a.id = d.trading_account_id
    WHERE d.vanished_at IS NULL AND ({deal_filter})
),
version_span AS ({versions}),
owned AS (
    SELECT deal.*, ca.ib_id AS owner_id, vs.version_id, vs.cap_u, p.currency
    FROM deal
    JOIN {attribution} ca ON ca.client_id = deal.client_id
         AND ca.effective_from <= deal.close_time
         AND (ca.effective_to IS NULL OR ca.effective_to > deal.close_time)
    JOIN {profile} owner_ib ON owner_ib.id = ca.ib_id
    JOIN {plan} p ON p.id = owner_ib.plan_id AND p.currency = deal.account_currency
    JOIN version_span vs ON {version_match}
),
chain AS (
    SELECT owned.*, anc.ancestor_id AS ib_id, anc.depth AS level
    FROM owned
    JOIN {ancestry} anc ON anc.ib_id = owned.owner_id
    JOIN {profile} earner ON earner.id = anc.ancestor_id AND earner.status = 'active'
),
matched AS (
    SELECT chain.*, r.id AS rate_id,
           CAST(ROUND(r.per_lot * 10000) AS BIGINT) * chain.lots_c * 100
           + CAST(ROUND(r.commission_percent * 10000) AS BIGINT) * chain.commission_c
           + CAST(ROUND(r.spread_percent * 10000) AS BIGINT) * chain.spread_c AS raw_u,
           ROW_NUMBER() OVER (PARTITION BY chain.deal_id, chain.level ORDER BY {specificity} DESC, r.id) AS precedence
    FROM chain
    JOIN {rate} r ON r.version_id = chain.version_id AND r.level = chain.level
         AND (r.symbol = '' OR r.symbol = chain.symbol)
         AND (r.symbol_group = '' OR r.symbol_group = chain.symbol_group)
         AND (r.account_type_id IS NULL OR r.account_type_id = chain.account_type_id)
),
priced AS (
    SELECT matched.*,
           CASE WHEN raw_u >= 0 THEN (raw_u + 500000) / 1000000 ELSE -((500000 - raw_u) / 1000000) END AS amount_c
    FROM matched
    WHERE precedence = 1
),
running AS (
    SELECT priced.*,
           (cap_u * lots_c + 5000) / 10000 AS cap_c,
           COALESCE(SUM(amount_c) OVER (
               PARTITION BY deal_id ORDER BY level ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ), 0) AS before_c
    FROM priced
    WHERE amount_c > 0
),
capped AS (
    SELECT running.*,
           CASE WHEN cap_c IS NULL OR amount_c <= cap_c - before_c THEN amount_c ELSE cap_c - before_c END AS paid_c
    FROM running
)
"""


def params(**values) -> dict:
    """Named parameters, datetimes as the backend stores them (SQLite compares them as text)."""
    return {
        name: connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
        for name, value in values.items()
    }


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def lines_sql(*, deal_filter: str, forced_version: bool = False) -> str:
    """The `WITH` chain ending in `capped`, for the deals `deal_filter` selects (SQL over `d`, the
    mirrored deal, with named parameters). `forced_version`: price with `%(version_id)s` for every
    IB on its plan instead of the published version that applies at each close time."""
    versions = FORCED_VERSION if forced_version else PUBLISHED_VERSIONS
    return LINES.format(
        deal=table(ClosedDeal),
        account=table(TradingAccount),
        attribution=table(ClientAttribution),
        profile=table(IbProfile),
        plan=table(RebatePlan),
        ancestry=table(IbAncestry),
        rate=table(RebateRate),
        versions=versions.format(version=table(RebatePlanVersion)),
        version_match=FORCED_VERSION_MATCH if forced_version else PUBLISHED_VERSION_MATCH,
        specificity=RATE_SPECIFICITY,
        deal_filter=deal_filter,
    )


LINE_COLUMNS = (
    "deal_id, deal_revision, ib_id, client_id, level, kind, plan_version_id, rate_id,"
    " lots, amount, currency, reverses_id, calculated_at, payout_id"
)


def insert_lines_sql(*, deal_filter: str) -> str:
    """One `INSERT … SELECT` writing the commission lines of the selected deals, at their current
    revision, stamped `%(now)s`. The unique key (deal, IB, revision, kind) is the backstop: a line
    already there is left as it is (the `WHERE` keeps SQLite's upsert parser unambiguous)."""
    # INSERT first: Python's sqlite3 counts the rows of a statement only when it starts with one.
    return (
        f"INSERT INTO {table(CommissionLine)} ({LINE_COLUMNS})"  # noqa: S608 (model tables, bound values)
        + lines_sql(deal_filter=deal_filter)
        + " SELECT deal_id, revision, ib_id, client_id, level, 'commission', version_id, rate_id,"
        " lots, paid_c / 100.0, currency, NULL, %(now)s, NULL"
        " FROM capped WHERE paid_c > 0"
        " ON CONFLICT DO NOTHING"
    )


def insert_reversals_sql() -> str:
    """Reversal lines for every commission line whose deal moved past the line's revision or
    vanished, and that has none yet. A reversal carries the revision of the line it reverses (so a
    deal corrected and then deleted reverses both its lines under the unique key)."""
    deal, line = table(ClosedDeal), table(CommissionLine)
    return (
        f"INSERT INTO {line} ({LINE_COLUMNS})"  # noqa: S608 (model tables, bound values)
        " SELECT l.deal_id, l.deal_revision, l.ib_id, l.client_id, l.level, 'reversal', l.plan_version_id,"
        " l.rate_id, l.lots, -l.amount, l.currency, l.id, %(now)s, NULL"
        f" FROM {deal} d JOIN {line} l ON l.deal_id = d.id"
        " WHERE (d.revision > 1 OR d.vanished_at IS NOT NULL)"
        " AND l.kind = 'commission' AND (l.deal_revision < d.revision OR d.vanished_at IS NOT NULL)"
        f" AND NOT EXISTS (SELECT 1 FROM {line} r WHERE r.reverses_id = l.id)"
        " ON CONFLICT DO NOTHING"
    )


def reversed_now_filter() -> str:
    """The deals that got a reversal in this run (stamped `%(now)s`): their new revision is priced."""
    return (
        f"d.id IN (SELECT r.deal_id FROM {table(CommissionLine)} r"  # noqa: S608 (model tables, bound values)
        " WHERE r.kind = 'reversal' AND r.calculated_at = %(now)s)"
    )
