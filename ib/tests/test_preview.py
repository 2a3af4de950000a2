""" "What would this version pay": the engine's arithmetic as a read, writing nothing."""

from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from crm.audit.models import AuditEntry
from crm.errors import NotFound
from ib.commissions.engine import commissions_compute
from ib.commissions.preview import PlanPreview, PreviewRow, plan_preview
from ib.models import CommissionLine, CommissionRunState, IbProfile, RebatePlanVersion
from ib.tests.commission_scenarios import at, client_account, deal, ib_chain, plan_with_rates, rate
from ib.tests.factories import RebatePlanVersionFactory

D = Decimal
pytestmark = pytest.mark.django_db
START, END = at("2024-03-01 00:00"), at("2024-04-01 00:00")


@pytest.fixture
def march():
    """Two chains on one plan (cap 6 per lot), deals in and around March 2024."""
    version = plan_with_rates("4", "1.5", "1", cap_per_lot="6")
    rate(version, symbol="XAUUSD", per_lot=D("10"))
    bottom, middle, top = ib_chain(3, version.plan)
    (alone,) = ib_chain(1, version.plan)
    first, second = client_account(bottom), client_account(alone)
    deal(first, close_time=at("2024-03-01 00:00"), volume_lots=D("1.50"))
    deal(first, close_time=at("2024-03-15 08:30"), volume_lots=D("0.07"), symbol="XAUUSD", symbol_group="metals")
    deal(second, close_time=at("2024-03-31 23:59"), volume_lots=D("2.00"))
    deal(first, close_time=at("2024-02-29 23:59"))  # before
    deal(first, close_time=at("2024-04-01 00:00"))  # after
    return version, bottom, middle, top, alone


def test_the_preview_of_the_version_in_force_equals_what_the_run_then_writes(march):
    version, *_ = march

    preview = plan_preview(version_id=version.pk, start=START, end=END)

    commissions_compute()
    written = (
        CommissionLine.objects.filter(deal__close_time__gte=START, deal__close_time__lt=END)
        .values("ib_id", "level")
        .annotate(deals=Count("id"), lots=Sum("lots"), amount=Sum("amount"))
        .order_by("ib_id", "level")
    )
    assert [(row.ib_id, row.level, row.deals, row.lots, row.amount) for row in preview.rows] == [
        (row["ib_id"], row["level"], row["deals"], row["lots"], row["amount"]) for row in written
    ]


def test_the_preview_rows_and_totals(march):
    version, bottom, middle, top, alone = march

    preview = plan_preview(version_id=version.pk, start=START, end=END)

    # 1.50 lots: 6.00, 2.25, 0.75 of cap 9.00 → 6.00, 2.25, 0.75.
    # 0.07 gold: 0.70 (the override, level 0 only) → capped at 0.42; levels 1 and 2: 0.
    # 2.00 lots for the lone IB: 8.00 → cap 12.00 → 8.00.
    assert preview == PlanPreview(
        version_id=version.pk,
        start=START,
        end=END,
        currency="USD",
        rows=[
            PreviewRow(ib_id=top.pk, ib_name=str(top), level=2, deals=1, lots=D("1.50"), amount=D("0.75")),
            PreviewRow(ib_id=middle.pk, ib_name=str(middle), level=1, deals=1, lots=D("1.50"), amount=D("2.25")),
            PreviewRow(ib_id=bottom.pk, ib_name=str(bottom), level=0, deals=2, lots=D("1.57"), amount=D("6.42")),
            PreviewRow(ib_id=alone.pk, ib_name=str(alone), level=0, deals=1, lots=D("2.00"), amount=D("8.00")),
        ],
        deals=3,
        lots=D("3.57"),
        amount=D("17.42"),
    )


def test_a_draft_version_is_priced_as_if_it_applied_and_nothing_is_written(march):
    version, bottom, middle, top, alone = march
    draft = RebatePlanVersionFactory(
        plan=version.plan,
        status=RebatePlanVersion.Status.DRAFT,
        published_at=None,
        effective_from=at("2030-01-01 00:00"),
    )
    rate(draft, per_lot=D("1"))
    IbProfile.objects.filter(pk=middle.pk).update(status=IbProfile.Status.SUSPENDED)

    preview = plan_preview(version_id=draft.pk, start=START, end=END)

    assert [(row.ib_id, row.level, row.deals, row.lots, row.amount) for row in preview.rows] == [
        (bottom.pk, 0, 2, D("1.57"), D("1.57")),
        (alone.pk, 0, 1, D("2.00"), D("2.00")),
    ]
    assert (preview.deals, preview.lots, preview.amount) == (3, D("3.57"), D("3.57"))
    assert not CommissionLine.objects.exists()
    assert not CommissionRunState.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_period_without_deals_previews_empty(march):
    version, *_ = march

    preview = plan_preview(version_id=version.pk, start=at("2025-01-01 00:00"), end=at("2025-02-01 00:00"))

    assert (preview.rows, preview.deals, preview.lots, preview.amount) == ([], 0, D("0.00"), D("0.00"))


def test_an_unknown_version_is_not_found():
    with pytest.raises(NotFound) as refused:
        plan_preview(version_id=999_999, start=START, end=END)
    assert refused.value.code == "plan_version_not_found"
