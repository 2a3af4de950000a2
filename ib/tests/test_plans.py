"""Plan versions: publishing and copying, and that a published version never changes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from clients.trading.tests.factories import ClosedDealFactory
from crm.audit.models import AuditEntry
from crm.users.models import User
from crm.users.tests.factories import UserFactory
from ib.models import CommissionRunState, RebatePlanVersion, RebateRate
from ib.services.plans import (
    PlanConflict,
    PlanError,
    PlanErrorCode,
    PlanNotFound,
    plan_version_copy,
    plan_version_draft_save,
    plan_version_publish,
)
from ib.tests.factories import RebatePlanFactory, RebatePlanVersionFactory, RebateRateFactory

pytestmark = pytest.mark.django_db
Status = RebatePlanVersion.Status
JAN = timezone.make_aware(timezone.datetime(2026, 1, 1))


@pytest.fixture
def staff():
    return UserFactory(email="plans@example.com", role=User.Role.STAFF, is_superuser=True)


def draft(plan, number, effective_from, **fields):
    version = RebatePlanVersionFactory(
        plan=plan, number=number, status=Status.DRAFT, published_at=None, effective_from=effective_from, **fields
    )
    RebateRateFactory(version=version, level=0, symbol_group="forex", per_lot=Decimal("6.0000"))
    return version


def snapshot(version):
    version.refresh_from_db()
    rates = list(version.rates.order_by("pk").values_list("level", "symbol_group", "symbol", "per_lot"))
    return (version.status, version.published_at, version.effective_from, rates)


def test_publishing_a_draft_stamps_who_and_when_and_is_audited(staff):
    version = draft(RebatePlanFactory(), 1, JAN)

    published = plan_version_publish(version_id=version.pk, published_by=staff)

    published.refresh_from_db()
    assert (published.status, published.published_by) == (Status.PUBLISHED, staff)
    assert published.published_at is not None
    entry = AuditEntry.objects.get(action="ib.plan_version.published")
    assert (entry.actor, entry.target_id, entry.data["number"]) == (staff, str(version.pk), 1)


def test_a_published_version_is_not_published_again(staff):
    version = RebatePlanVersionFactory()
    before = snapshot(version)

    with pytest.raises(PlanConflict) as refused:
        plan_version_publish(version_id=version.pk, published_by=staff)

    assert (refused.value.code, refused.value.status) == (PlanErrorCode.PLAN_VERSION_PUBLISHED, 409)
    assert snapshot(version) == before
    assert not AuditEntry.objects.exists()


def test_a_version_must_apply_after_the_newest_published_one(staff):
    plan = RebatePlanFactory()
    RebatePlanVersionFactory(plan=plan, number=1, effective_from=JAN)
    same_day, earlier = draft(plan, 2, JAN), draft(plan, 3, JAN - timedelta(days=1))

    for version in (same_day, earlier):
        before = snapshot(version)
        with pytest.raises(PlanError) as refused:
            plan_version_publish(version_id=version.pk, published_by=staff)
        assert refused.value.code == PlanErrorCode.PLAN_VERSION_EFFECTIVE_TOO_EARLY
        assert list(refused.value.fields) == ["effective_from"]
        assert snapshot(version) == before

    later = draft(plan, 4, JAN + timedelta(seconds=1))
    assert plan_version_publish(version_id=later.pk, published_by=staff).status == Status.PUBLISHED
    assert AuditEntry.objects.filter(action="ib.plan_version.published").count() == 1


def test_other_plans_versions_do_not_order_this_one(staff):
    RebatePlanVersionFactory(effective_from=JAN + timedelta(days=30))
    version = draft(RebatePlanFactory(), 1, JAN)

    assert plan_version_publish(version_id=version.pk, published_by=staff).status == Status.PUBLISHED


def test_a_version_cannot_reach_back_into_deals_already_computed(staff):
    deal = ClosedDealFactory(close_time=JAN + timedelta(days=10))
    CommissionRunState.objects.create(last_deal_id=deal.pk)
    version = draft(RebatePlanFactory(), 1, JAN + timedelta(days=9))
    before = snapshot(version)

    with pytest.raises(PlanError) as refused:
        plan_version_publish(version_id=version.pk, published_by=staff)

    assert refused.value.code == PlanErrorCode.PLAN_VERSION_EFFECTIVE_TOO_EARLY
    assert snapshot(version) == before
    version.effective_from = JAN + timedelta(days=10)
    version.save()
    assert plan_version_publish(version_id=version.pk, published_by=staff).status == Status.PUBLISHED


def test_a_version_without_rates_is_not_published(staff):
    version = RebatePlanVersionFactory(status=Status.DRAFT, published_at=None)

    with pytest.raises(PlanError) as refused:
        plan_version_publish(version_id=version.pk, published_by=staff)

    assert refused.value.code == PlanErrorCode.PLAN_VERSION_WITHOUT_RATES
    assert snapshot(version)[0] == Status.DRAFT


def test_an_unknown_version_is_not_found(staff):
    with pytest.raises(PlanNotFound) as refused:
        plan_version_publish(version_id=987654, published_by=staff)
    assert (refused.value.code, refused.value.status) == (PlanErrorCode.PLAN_VERSION_NOT_FOUND, 404)


def test_copy_makes_the_next_draft_with_the_same_rates(staff):
    plan = RebatePlanFactory()
    source = RebatePlanVersionFactory(
        plan=plan, number=1, effective_from=JAN, cap_per_lot=Decimal("12.0000"), minimum_payout=Decimal("50.0000")
    )
    RebateRateFactory(version=source, level=0, symbol_group="forex", per_lot=Decimal("6.0000"))
    RebateRateFactory(version=source, level=0, symbol="XAUUSD", per_lot=Decimal("9.0000"), spread_percent=Decimal("10"))
    RebateRateFactory(version=source, level=1, commission_percent=Decimal("20.0000"), per_lot=Decimal("0"))
    RebatePlanVersionFactory(plan=plan, number=2, status=Status.DRAFT, published_at=None, effective_from=JAN)

    copy = plan_version_copy(version_id=source.pk, copied_by=staff)

    assert (copy.plan_id, copy.number, copy.status, copy.published_at) == (plan.pk, 3, Status.DRAFT, None)
    assert (copy.cap_per_lot, copy.minimum_payout) == (Decimal("12.0000"), Decimal("50.0000"))
    assert copy.effective_from >= timezone.now() - timedelta(seconds=5)
    fields = ("level", "account_type_id", "symbol_group", "symbol", "per_lot", "commission_percent", "spread_percent")
    assert list(copy.rates.order_by("pk").values_list(*fields)) == list(
        source.rates.order_by("pk").values_list(*fields)
    )
    assert source.rates.count() == 3
    entry = AuditEntry.objects.get(action="ib.plan_version.copied")
    assert (entry.target_id, entry.data) == (str(copy.pk), {"from_version_id": source.pk})


def test_a_copy_of_a_future_version_starts_when_it_does(staff):
    future = timezone.now().replace(microsecond=0) + timedelta(days=40)
    source = RebatePlanVersionFactory(number=1, effective_from=future)

    assert plan_version_copy(version_id=source.pk, copied_by=staff).effective_from == future


def test_saving_a_published_version_is_refused_and_changes_nothing(staff):
    version = RebatePlanVersionFactory(minimum_payout=Decimal("10.0000"))
    RebateRateFactory(version=version)
    version.minimum_payout = Decimal("0")

    with pytest.raises(PlanConflict), transaction.atomic():
        plan_version_draft_save(version=version, saved_by=staff)

    version.refresh_from_db()
    assert version.minimum_payout == Decimal("10.0000")
    assert not AuditEntry.objects.exists()


def test_a_new_draft_is_numbered_next_in_its_plan(staff):
    plan = RebatePlanFactory()
    RebatePlanVersionFactory(plan=plan, number=4)
    version = RebatePlanVersion(plan=plan, effective_from=JAN, status=Status.PUBLISHED)

    saved = plan_version_draft_save(version=version, saved_by=staff)

    saved.refresh_from_db()
    assert (saved.number, saved.status) == (5, Status.DRAFT)
    assert RebateRate.objects.filter(version=saved).count() == 0
    assert AuditEntry.objects.filter(action="ib.plan_version.created", target_id=str(saved.pk)).count() == 1
