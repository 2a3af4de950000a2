"""The plans back office: pages render, drafts save with their rates, published versions are
read-only, publish and copy buttons, and the "what would it pay" page over `plan_preview`."""

import zoneinfo
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm.audit.models import AuditEntry
from crm.users.models import User
from crm.users.tests.factories import UserFactory
from ib.models import CommissionLine, RebatePlanVersion, RebateRate
from ib.tests.commission_scenarios import client_account, deal
from ib.tests.factories import IbProfileFactory, RebatePlanFactory, RebatePlanVersionFactory, RebateRateFactory

pytestmark = pytest.mark.django_db
Status = RebatePlanVersion.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
RATE_FIELDS = ["level", "account_type", "symbol_group", "symbol", "per_lot", "commission_percent", "spread_percent"]


@pytest.fixture
def staff():
    return UserFactory(email="plans@example.com", role=User.Role.STAFF, is_superuser=True, language="en-US")


@pytest.fixture
def staff_client(client, staff):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return client


def url(name, *args):
    return reverse(f"admin:ib_{name}", args=args)


def rates_formset(rates, initial=0, existing=()):
    """The POST data of the rates inline: `existing` (pk, fields) rows first, then new `rates`."""
    data = {
        "rates-TOTAL_FORMS": str(len(existing) + len(rates)),
        "rates-INITIAL_FORMS": str(len(existing)),
        "rates-MIN_NUM_FORMS": "0",
        "rates-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, fields) in enumerate(existing):
        data[f"rates-{index}-id"] = str(pk)
        data.update({f"rates-{index}-{key}": value for key, value in fields.items()})
    for index, fields in enumerate(rates, start=len(existing)):
        data.update({f"rates-{index}-{key}": "" for key in RATE_FIELDS})
        data.update({f"rates-{index}-{key}": value for key, value in fields.items()})
    return data


def test_the_plan_and_version_pages_render(staff_client):
    version = RebatePlanVersionFactory(plan=RebatePlanFactory(name="Gold partners"))
    RebateRateFactory(version=version, symbol="XAUUSD")
    drafted = RebatePlanVersionFactory(plan=version.plan, number=2, status=Status.DRAFT, published_at=None)

    for page in (
        url("rebateplan_changelist"),
        url("rebateplan_change", version.plan_id),
        url("rebateplan_add"),
        url("rebateplanversion_changelist"),
        url("rebateplanversion_add"),
        url("rebateplanversion_change", version.pk),
        url("rebateplanversion_change", drafted.pk),
    ):
        response = staff_client.get(page)
        assert response.status_code == 200, page
    assert b"Gold partners" in staff_client.get(url("rebateplan_changelist")).content


def test_staff_add_a_draft_with_its_rates(staff_client, staff):
    plan = RebatePlanFactory()
    RebatePlanVersionFactory(plan=plan, number=1)
    data = {
        "plan": plan.pk,
        "effective_from_0": "2026-03-01",
        "effective_from_1": "00:00:00",
        "cap_per_lot": "12",
        "minimum_payout": "50",
        **rates_formset(
            [
                {
                    "level": "0",
                    "symbol_group": "forex",
                    "per_lot": "6",
                    "commission_percent": "0",
                    "spread_percent": "0",
                },
                {"level": "0", "symbol": "XAUUSD", "per_lot": "9", "commission_percent": "0", "spread_percent": "10"},
                {
                    "level": "1",
                    "symbol_group": "forex",
                    "per_lot": "2",
                    "commission_percent": "0",
                    "spread_percent": "0",
                },
            ]
        ),
    }

    response = staff_client.post(url("rebateplanversion_add"), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    version = RebatePlanVersion.objects.get(plan=plan, number=2)
    assert (version.status, version.cap_per_lot, version.minimum_payout) == (
        Status.DRAFT,
        Decimal("12.0000"),
        Decimal("50.0000"),
    )
    assert version.effective_from == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert sorted(version.rates.values_list("level", "symbol_group", "symbol", "per_lot", "spread_percent")) == [
        (0, "", "XAUUSD", Decimal("9.0000"), Decimal("10.0000")),
        (0, "forex", "", Decimal("6.0000"), Decimal("0.0000")),
        (1, "forex", "", Decimal("2.0000"), Decimal("0.0000")),
    ]
    assert AuditEntry.objects.get(action="ib.plan_version.created").actor == staff


def test_staff_edit_a_drafts_rates(staff_client):
    version = RebatePlanVersionFactory(status=Status.DRAFT, published_at=None)
    rate = RebateRateFactory(version=version, symbol_group="forex", per_lot=Decimal("5"))
    data = {
        "effective_from_0": "2026-04-01",
        "effective_from_1": "00:00:00",
        "cap_per_lot": "",
        "minimum_payout": "0",
        **rates_formset(
            [],
            existing=[
                (
                    rate.pk,
                    {
                        "version": version.pk,
                        "level": "0",
                        "symbol_group": "forex",
                        "symbol": "",
                        "account_type": "",
                        "per_lot": "7.5",
                        "commission_percent": "0",
                        "spread_percent": "0",
                    },
                )
            ],
        ),
    }

    response = staff_client.post(url("rebateplanversion_change", version.pk), data)

    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.per_lot == Decimal("7.5000")


def test_a_published_version_is_read_only(staff_client):
    version = RebatePlanVersionFactory(minimum_payout=Decimal("10"))
    rate = RebateRateFactory(version=version, per_lot=Decimal("5"))

    page = staff_client.get(url("rebateplanversion_change", version.pk))
    response = staff_client.post(
        url("rebateplanversion_change", version.pk),
        {
            "effective_from_0": "2026-04-01",
            "effective_from_1": "00:00:00",
            "minimum_payout": "0",
            **rates_formset([], existing=[(rate.pk, {"per_lot": "99", "level": "0", "version": version.pk})]),
        },
    )

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert b'name="minimum_payout"' not in page.content
    assert response.status_code == 403
    version.refresh_from_db()
    rate.refresh_from_db()
    assert (version.minimum_payout, rate.per_lot) == (Decimal("10.0000"), Decimal("5.0000"))
    assert not AuditEntry.objects.exists()


def test_publish_and_copy_buttons(staff_client, staff):
    version = RebatePlanVersionFactory(status=Status.DRAFT, published_at=None, number=1)
    RebateRateFactory(version=version)

    staff_client.post(url("rebateplanversion_publish", version.pk))
    version.refresh_from_db()
    assert (version.status, version.published_by) == (Status.PUBLISHED, staff)

    response = staff_client.post(url("rebateplanversion_copy", version.pk))
    copy = RebatePlanVersion.objects.get(plan=version.plan, number=2)
    assert response["Location"] == url("rebateplanversion_change", copy.pk)
    assert (copy.status, copy.rates.count()) == (Status.DRAFT, 1)


def test_publish_and_copy_actions_report_refusals(staff_client):
    published = RebatePlanVersionFactory(number=1)
    RebateRateFactory(version=published)
    empty = RebatePlanVersionFactory(plan=published.plan, number=2, status=Status.DRAFT, published_at=None)

    response = staff_client.post(
        url("rebateplanversion_changelist"),
        {"action": "publish_versions", ACTION_CHECKBOX_NAME: [published.pk, empty.pk]},
        follow=True,
    )

    texts = [str(message) for message in response.context["messages"]]
    assert any("cannot be changed" in text for text in texts)
    assert any("has no rates" in text for text in texts)
    assert RebatePlanVersion.objects.filter(status=Status.PUBLISHED).count() == 1

    staff_client.post(
        url("rebateplanversion_changelist"), {"action": "copy_versions", ACTION_CHECKBOX_NAME: [published.pk]}
    )
    assert RebatePlanVersion.objects.get(plan=published.plan, number=3).rates.count() == 1


@pytest.fixture
def february():
    """A draft version (5 per lot at level 0, 1 at level 1) of a sub-IB's plan, and its client's deals:
    two in February 2026 (1.50 and 3.00 lots) and one in March, outside the period."""
    version = RebatePlanVersionFactory(status=Status.DRAFT, published_at=None, plan=RebatePlanFactory(currency="USD"))
    RebateRateFactory(version=version, level=0, per_lot=Decimal("5"))
    RebateRateFactory(version=version, level=1, per_lot=Decimal("1"))
    master = IbProfileFactory(user=UserFactory(email="master@ib.example", role=User.Role.IB))
    sub = IbProfileFactory(
        parent=master, plan=version.plan, user=UserFactory(email="sub@ib.example", role=User.Role.IB)
    )
    account = client_account(sub)
    deal(account, close_time=datetime(2026, 2, 3, 10, tzinfo=SHANGHAI), volume_lots=Decimal("1.50"))
    deal(account, close_time=datetime(2026, 2, 28, 23, tzinfo=SHANGHAI), volume_lots=Decimal("3.00"))
    deal(account, close_time=datetime(2026, 3, 1, 0, tzinfo=SHANGHAI), volume_lots=Decimal("9.00"))
    return version


def test_the_preview_page_shows_each_ib_and_level_and_the_totals(staff_client, february):
    form_page = staff_client.get(url("rebateplanversion_preview", february.pk))
    response = staff_client.get(
        url("rebateplanversion_preview", february.pk), {"start": "2026-02-01", "end": "2026-02-28"}
    )

    assert form_page.status_code == 200 and form_page.context["preview"] is None
    assert response.status_code == 200
    rows = [(row.ib.user.email, row.level, row.deals, row.lots, row.amount) for row in response.context["rows"]]
    assert sorted(rows) == [
        ("master@ib.example", 1, 2, Decimal("4.50"), Decimal("4.50")),
        ("sub@ib.example", 0, 2, Decimal("4.50"), Decimal("22.50")),
    ]
    html = response.content.decode()
    total = html[html.index('id="plan-preview-total"') :]
    assert "<th>2</th>" in total and "<th>4.50</th>" in total and "27.00 USD" in total
    assert "Publish this version" in html
    assert not CommissionLine.objects.exists()  # a preview writes nothing


def test_the_preview_refuses_a_period_that_ends_before_it_starts(staff_client, february):
    response = staff_client.get(
        url("rebateplanversion_preview", february.pk), {"start": "2026-02-10", "end": "2026-02-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors and response.context["preview"] is None


def test_rates_of_a_published_version_cannot_be_added_through_the_inline(staff_client):
    version = RebatePlanVersionFactory()
    staff_client.post(
        url("rebateplanversion_change", version.pk),
        {
            "effective_from_0": "2026-04-01",
            "effective_from_1": "00:00:00",
            "minimum_payout": "0",
            **rates_formset([{"level": "0", "per_lot": "1"}]),
        },
    )
    assert RebateRate.objects.filter(version=version).count() == 0


def test_staff_rename_a_plan_whose_versions_are_listed_read_only(staff_client):
    version = RebatePlanVersionFactory(plan=RebatePlanFactory(name="Old name", currency="USD"))
    data = {
        "name": "Partners 2027",
        "description": "",
        "is_downline_visible": "on",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": str(version.pk),
        "versions-0-plan": str(version.plan_id),
    }

    response = staff_client.post(url("rebateplan_change", version.plan_id), data)

    assert response.status_code == 302
    version.plan.refresh_from_db()
    version.refresh_from_db()
    assert (version.plan.name, version.plan.currency, version.status) == ("Partners 2027", "USD", Status.PUBLISHED)
