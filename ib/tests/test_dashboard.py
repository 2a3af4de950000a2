"""The daily figures (`daily_figures_refresh`) and the cards and periods read from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.trading.models import ClosedDeal
from crm.errors import ApplicationError
from ib.dashboard.selectors import dashboard_cards, dashboard_figures, dashboard_period, last_update_time
from ib.dashboard.services import daily_figures_refresh
from ib.models import DailyFigureRefreshState, IbClientActivity, IbDailyFigure

from .dashboard_data import business, deal, shanghai

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
# Day → (new clients, active traders, deposits, withdrawals, lots, earned, paid), for IB A.
A_FIGURES = {
    dt.date(2026, 3, 1): (1, 0, ZERO, ZERO, ZERO, ZERO, ZERO),
    dt.date(2026, 3, 2): (0, 1, D("100.00"), ZERO, D("1.50"), D("5.00"), ZERO),
    dt.date(2026, 3, 3): (1, 2, ZERO, D("30.25"), D("2.30"), D("-5.00"), ZERO),
    dt.date(2026, 3, 4): (0, 1, D("250.50"), ZERO, D("0.20"), D("1.25"), ZERO),
    dt.date(2026, 3, 5): (1, 0, ZERO, ZERO, ZERO, ZERO, D("6.25")),
    dt.date(2026, 3, 6): (0, 1, ZERO, ZERO, D("0.70"), ZERO, ZERO),
}
B_FIGURES = {
    dt.date(2026, 3, 1): (1, 0, ZERO, ZERO, ZERO, ZERO, ZERO),
    dt.date(2026, 3, 4): (0, 1, D("40.00"), ZERO, D("1.00"), D("3.00"), ZERO),
}
COLUMNS = ("new_clients", "active_traders", "deposits", "withdrawals", "lots", "commission_earned", "commission_paid")
NOW = shanghai(2026, 3, 6, 20)


def figures_of(ib) -> dict:
    return {
        row[0]: tuple(row[1:])
        for row in IbDailyFigure.objects.filter(ib=ib).order_by("day").values_list("day", *COLUMNS)
    }


@pytest.fixture
def scenario():
    return business()


def test_the_first_refresh_computes_every_day_exactly(scenario):
    written = daily_figures_refresh(now=NOW)

    assert figures_of(scenario.ib) == A_FIGURES
    assert figures_of(scenario.sub_ib) == B_FIGURES
    assert figures_of(scenario.other_ib) == {
        dt.date(2026, 3, 1): (1, 0, ZERO, ZERO, ZERO, ZERO, ZERO),
        dt.date(2026, 3, 4): (0, 1, D("70.00"), ZERO, D("9.00"), ZERO, ZERO),
    }
    assert written == len(A_FIGURES) + len(B_FIGURES) + 2
    assert set(IbDailyFigure.objects.values_list("updated_at", flat=True)) == {NOW}
    c1, c2, c3 = (scenario.clients[key].pk for key in ("c1", "c2", "c3"))
    assert sorted(IbClientActivity.objects.filter(ib=scenario.ib).values_list("day", "client_id", "lots")) == sorted(
        [
            (dt.date(2026, 3, 2), c1, D("1.50")),
            (dt.date(2026, 3, 3), c1, D("2.00")),
            (dt.date(2026, 3, 3), c2, D("0.30")),
            (dt.date(2026, 3, 4), c2, D("0.20")),
            (dt.date(2026, 3, 6), c3, D("0.70")),
        ]
    )
    state = DailyFigureRefreshState.objects.get()
    assert (state.last_run_at, state.last_since) == (NOW, None)


def test_refreshing_again_changes_nothing(scenario):
    daily_figures_refresh(now=NOW)
    first = (figures_of(scenario.ib), figures_of(scenario.sub_ib))

    daily_figures_refresh(since=dt.date(2026, 3, 1), now=NOW + dt.timedelta(minutes=5))
    daily_figures_refresh(now=NOW + dt.timedelta(minutes=10))

    assert (figures_of(scenario.ib), figures_of(scenario.sub_ib)) == first
    assert IbClientActivity.objects.count() == 7


def test_the_default_window_is_yesterday_and_today(scenario):
    daily_figures_refresh(now=NOW)
    # A deal of 3 March deleted on the platform after the fact, and a new one today (6 March).
    ClosedDeal.objects.filter(volume_lots=D("2.00")).update(vanished_at=timezone.now())
    deal(scenario.accounts["c1"], "0.40", shanghai(2026, 3, 6, 19))
    later = NOW + dt.timedelta(minutes=5)

    daily_figures_refresh(now=later)

    figures = figures_of(scenario.ib)
    # The 3rd is outside the window (the nightly full pass or a refresh from that day picks it up).
    assert figures[dt.date(2026, 3, 3)] == A_FIGURES[dt.date(2026, 3, 3)]
    assert figures[dt.date(2026, 3, 6)] == (0, 2, ZERO, ZERO, D("1.10"), ZERO, ZERO)
    assert DailyFigureRefreshState.objects.get().last_since == dt.date(2026, 3, 5)
    assert IbDailyFigure.objects.get(ib=scenario.ib, day=dt.date(2026, 3, 4)).updated_at == NOW

    daily_figures_refresh(since=dt.date(2026, 3, 3), now=later)

    assert figures_of(scenario.ib)[dt.date(2026, 3, 3)] == (1, 1, ZERO, D("30.25"), D("0.30"), D("-5.00"), ZERO)


def test_a_day_that_lost_everything_loses_its_row(scenario):
    daily_figures_refresh(now=NOW)
    ClosedDeal.objects.filter(close_time__gte=shanghai(2026, 3, 6, 0, 0)).update(vanished_at=timezone.now())

    daily_figures_refresh(since=dt.date(2026, 3, 6), now=NOW)

    assert dt.date(2026, 3, 6) not in figures_of(scenario.ib)


@pytest.mark.parametrize(
    ("date_type", "today", "start", "end"),
    [
        ("today", dt.date(2026, 3, 4), dt.date(2026, 3, 4), dt.date(2026, 3, 4)),
        (None, dt.date(2026, 3, 4), dt.date(2026, 3, 4), dt.date(2026, 3, 4)),
        ("yesterday", dt.date(2026, 3, 1), dt.date(2026, 2, 28), dt.date(2026, 2, 28)),
        ("this_week", dt.date(2026, 3, 4), dt.date(2026, 3, 2), dt.date(2026, 3, 4)),  # a Wednesday
        ("this_week", dt.date(2026, 3, 2), dt.date(2026, 3, 2), dt.date(2026, 3, 2)),  # a Monday
        ("this_week", dt.date(2026, 3, 8), dt.date(2026, 3, 2), dt.date(2026, 3, 8)),  # a Sunday
        ("this_month", dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
        ("this_month", dt.date(2026, 3, 31), dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        ("last_month", dt.date(2026, 3, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("last_month", dt.date(2024, 3, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("last_month", dt.date(2026, 1, 15), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ],
)
def test_each_date_type_period(date_type, today, start, end):
    period = dashboard_period(date_type=date_type, today=today)

    assert (period.start, period.end) == (start, end)
    assert period.date_type == (date_type or "today")


def test_a_custom_period_is_its_two_dates_inclusive():
    period = dashboard_period(date_type="custom", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 4))

    assert period.days == [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]


@pytest.mark.parametrize(
    ("date_type", "start", "end", "field"),
    [
        ("custom", None, dt.date(2026, 3, 4), "start_date"),
        ("custom", dt.date(2026, 3, 4), None, "end_date"),
        ("custom", dt.date(2026, 3, 4), dt.date(2026, 3, 3), "end_date"),
        ("custom", dt.date(2025, 1, 1), dt.date(2026, 1, 2), "end_date"),
        ("last_year", None, None, "date_type"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(date_type, start, end, field):
    with pytest.raises(ApplicationError) as refused:
        dashboard_period(date_type=date_type, start=start, end=end)

    assert refused.value.code == "invalid_input"
    assert list(refused.value.fields) == [field]


def test_the_cards_sum_the_figures_and_count_traders_once_per_period(scenario):
    daily_figures_refresh(now=NOW)

    cards = dashboard_cards(ib=scenario.ib, date_type="custom", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 6))

    assert cards == {
        "period": {"date_type": "custom", "start_date": dt.date(2026, 3, 2), "end_date": dt.date(2026, 3, 6)},
        "currency": "USD",
        "new_clients": 2,
        "active_traders": 3,  # c1, c2 and c3, though the days add up to 5
        "deposits": "350.50",
        "withdrawals": "30.25",
        "net_deposits": "320.25",
        "lots": "4.70",
        "commission_earned": "1.25",
        "commission_paid": "6.25",
    }


def test_the_cards_of_every_period_equal_the_figures_of_its_days(scenario, time_machine):
    daily_figures_refresh(now=NOW)
    time_machine.move_to(NOW, tick=False)

    for date_type in ("today", "yesterday", "this_week", "this_month", "last_month"):
        period = dashboard_period(date_type=date_type)
        days = [A_FIGURES[day] for day in period.days if day in A_FIGURES]
        figures = dashboard_figures(ib=scenario.ib, period=period)

        expected = [sum((row[index] for row in days), start=0) for index in range(len(COLUMNS))]
        assert [figures[column] for column in COLUMNS if column != "active_traders"] == [
            value for column, value in zip(COLUMNS, expected, strict=True) if column != "active_traders"
        ], date_type
    this_week = dashboard_figures(ib=scenario.ib, period=dashboard_period(date_type="this_week"))
    assert this_week["active_traders"] == 3
    assert dashboard_figures(ib=scenario.ib, period=dashboard_period(date_type="last_month")) == {
        "new_clients": 0,
        "active_traders": 0,
        "deposits": ZERO,
        "withdrawals": ZERO,
        "net_deposits": ZERO,
        "lots": ZERO,
        "commission_earned": ZERO,
        "commission_paid": ZERO,
    }


def test_last_update_time_is_the_last_refresh(scenario):
    assert last_update_time(ib=scenario.ib) is None

    daily_figures_refresh(now=NOW)
    assert last_update_time(ib=scenario.ib) == NOW

    daily_figures_refresh(now=NOW + dt.timedelta(minutes=5))
    assert last_update_time(ib=scenario.other_ib) == NOW + dt.timedelta(minutes=5)
