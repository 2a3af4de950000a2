""" "What would this plan version pay": the engine's own SQL as a read, with one version forced.

Staff try a version (a draft, usually) over a past period before publishing it: every deal closed
in [start, end) by a client of an IB on the version's plan (attributed at the close time, as the
run does) is priced with that version's rates and cap, whatever version applied then. Nothing is
written. The figures are those the run would write if the version had applied to the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from crm.errors import NotFound
from ib.commissions import sql
from ib.models import IbProfile, RebatePlanVersion

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PreviewRow:
    """What one IB would earn at one level of the chain."""

    ib_id: int
    ib_name: str
    level: int
    deals: int
    lots: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PlanPreview:
    """Per IB and level (ordered by IB, then level), and the totals: `deals` and `lots` count each
    deal once however many levels it pays; `amount` is everything the chain would earn."""

    version_id: int
    start: datetime
    end: datetime
    currency: str
    rows: list[PreviewRow] = field(default_factory=list)
    deals: int = 0
    lots: Decimal = Decimal("0.00")
    amount: Decimal = Decimal("0.00")


def _preview_sql() -> str:
    return sql.lines_sql(  # noqa: S608 (model tables, bound values)
        deal_filter="d.close_time >= %(start)s AND d.close_time < %(end)s",
        forced_version=True,
    ) + (
        # `first_line`: the deal's lowest paying level, so the totals count each deal once.
        ", paying AS (SELECT capped.*, ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY level) AS first_line"
        " FROM capped WHERE paid_c > 0)"
        " SELECT ib_id, level, COUNT(*), SUM(lots_c), SUM(paid_c),"
        " SUM(CASE WHEN first_line = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN first_line = 1 THEN lots_c ELSE 0 END)"
        " FROM paying GROUP BY ib_id, level ORDER BY ib_id, level"
    )


def _cents(value) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(CENT)


def plan_preview(*, version_id: int, start: datetime, end: datetime) -> PlanPreview:
    try:
        version = RebatePlanVersion.objects.select_related("plan").get(pk=version_id)
    except RebatePlanVersion.DoesNotExist:
        raise NotFound(code="plan_version_not_found", message=_("No such plan version.")) from None
    with connection.cursor() as cursor:
        cursor.execute(_preview_sql(), sql.params(version_id=version.pk, start=start, end=end))
        results = cursor.fetchall()
    names = {
        profile.pk: str(profile)
        for profile in IbProfile.objects.select_related("user").filter(pk__in={row[0] for row in results})
    }
    rows = [
        PreviewRow(
            ib_id=ib_id,
            ib_name=names.get(ib_id, ""),
            level=level,
            deals=deals,
            lots=_cents(lots),
            amount=_cents(amount),
        )
        for ib_id, level, deals, lots, amount, _first, _first_lots in results
    ]
    return PlanPreview(
        version_id=version.pk,
        start=start,
        end=end,
        currency=version.plan.currency,
        rows=rows,
        deals=sum(int(row[5]) for row in results),
        lots=_cents(sum(int(row[6]) for row in results)),
        amount=_cents(sum(int(row[4]) for row in results)),
    )
