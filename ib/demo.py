"""The demo's rebate plan: three levels, per-lot rates by symbol group with a gold override and a cap,
published by the demo admin, and a draft of its next version to preview in the back office.

Running it again changes nothing: the plan is found by name. The IB tree, its clients and the
commission, payout and dashboard runs come with the demo week (`ib/demo_week.py`), once the clients
and their trades exist.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.configuration.selectors import company_time_zone
from crm.users.models import User
from ib.models import RebatePlan, RebatePlanVersion, RebateRate
from ib.services.plans import plan_version_copy, plan_version_publish

PLAN_NAME = "Three-level partner plan"
ADMIN_EMAIL = "admin@broker.example"
D = Decimal
# level → {symbol group or symbol: USD per lot}; no crypto rate: crypto deals pay no rebate.
RATES = {
    0: {"forex": D("8"), "metals": D("10"), "indices": D("4"), "XAUUSD": D("9")},
    1: {"forex": D("2"), "metals": D("3"), "indices": D("1"), "XAUUSD": D("3")},
    2: {"forex": D("1"), "metals": D("1.5"), "indices": D("0.5"), "XAUUSD": D("1.5")},
}
# All levels together earn at most this per lot: on gold the third level (9 + 3 + 1.5) is cut to nothing.
CAP_PER_LOT = D("12")
MINIMUM_PAYOUT = D("20")
# The next version on the table: more for forex at the first level.
DRAFT_FOREX_RATE = D("9")
MASTER, SUB, AGENT = "ib@broker.example", "sub.ib@broker.example", "agent.ib@broker.example"
# (IB, its parent)
TREE = [(MASTER, None), (SUB, MASTER), (AGENT, SUB)]
# The clients each IB brought (demo week slugs, or a full address).
CLIENTS_OF = {
    MASTER: ["client@broker.example", "wei.zhang", "li.na", "chen.jie", "wang.fang", "gao.peng"],
    SUB: ["liu.yang", "tan.mei.ling", "lim.wei.jie", "nguyen.van.an", "zhou.xin"],
    AGENT: ["somchai.p", "hiroshi.sato", "kim.minjun", "ahmed.hassan"],
}
# The published version covers the demo week's trades (and the month before).
APPLIES_FROM_DAYS_AGO = 30


def _rate_rows(version: RebatePlanVersion) -> list[RebateRate]:
    return [
        RebateRate(
            version=version,
            level=level,
            symbol=target if target.isupper() else "",
            symbol_group="" if target.isupper() else target,
            per_lot=per_lot,
        )
        for level, targets in RATES.items()
        for target, per_lot in targets.items()
    ]


def demo_plan() -> RebatePlan | None:
    return RebatePlan.objects.filter(name=PLAN_NAME).first()


@transaction.atomic
def load_demo_data() -> None:
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None or demo_plan() is not None:  # users come first in the command: the next run makes it
        return
    plan = RebatePlan.objects.create(
        name=PLAN_NAME,
        description="Per-lot rebates for an IB and two levels above it, paid in USD.",
        currency="USD",
        is_downline_visible=True,
    )
    today = timezone.localtime(timezone.now(), company_time_zone()).date()
    start = datetime.combine(today - timedelta(days=APPLIES_FROM_DAYS_AGO), time.min, tzinfo=company_time_zone())
    version = RebatePlanVersion.objects.create(
        plan=plan, number=1, effective_from=start, cap_per_lot=CAP_PER_LOT, minimum_payout=MINIMUM_PAYOUT
    )
    RebateRate.objects.bulk_create(_rate_rows(version))
    plan_version_publish(version_id=version.pk, published_by=admin)
    draft = plan_version_copy(version_id=version.pk, copied_by=admin)
    draft.rates.filter(level=0, symbol_group="forex", symbol="").update(per_lot=DRAFT_FOREX_RATE)
