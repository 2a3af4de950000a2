"""What the IB dashboard shows: cards for a period and the charts' series, all read from the figures
`daily_figures_refresh` pre-aggregates (one indexed range per IB), never from the raw tables, except
"top clients by commission" (the commission lines' (ib, calculated_at) index)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from crm.errors import ApplicationError
from crm.users.models import User
from ib.dashboard.services import company_today, day_start
from ib.models import CommissionLine, DailyFigureRefreshState, IbClientActivity, IbDailyFigure, IbProfile

CENT = Decimal("0.01")
MAX_PERIOD_DAYS = 366
TOP_CLIENTS = 10


class DateType:
    """The spec's `date_type` values (a free string there; these are the ones we accept)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    CUSTOM = "custom"

    VALUES = (TODAY, YESTERDAY, THIS_WEEK, THIS_MONTH, LAST_MONTH, CUSTOM)
    DEFAULT = TODAY


@dataclass(frozen=True)
class Period:
    date_type: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=offset) for offset in range((self.end - self.start).days + 1)]


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(code="invalid_input", message=message, fields={field: [message]})


def dashboard_period(
    *, date_type: str | None, start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None
) -> Period:
    """The days (company time zone, both ends included) `date_type` means today. A week starts on
    Monday; "this week/month" end today; `custom` needs `start` ≤ `end`, at most 366 days."""
    today = today or company_today()
    date_type = date_type or DateType.DEFAULT
    if date_type == DateType.TODAY:
        return Period(date_type, today, today)
    if date_type == DateType.YESTERDAY:
        yesterday = today - dt.timedelta(days=1)
        return Period(date_type, yesterday, yesterday)
    if date_type == DateType.THIS_WEEK:
        return Period(date_type, today - dt.timedelta(days=today.weekday()), today)
    if date_type == DateType.THIS_MONTH:
        return Period(date_type, today.replace(day=1), today)
    if date_type == DateType.LAST_MONTH:
        last_day = today.replace(day=1) - dt.timedelta(days=1)
        return Period(date_type, last_day.replace(day=1), last_day)
    if date_type == DateType.CUSTOM:
        if start is None:
            raise _invalid("start_date", _("A custom period needs a start date."))
        if end is None:
            raise _invalid("end_date", _("A custom period needs an end date."))
        if end < start:
            raise _invalid("end_date", _("The end date is before the start date."))
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise _invalid("end_date", _("A period is at most 366 days."))
        return Period(date_type, start, end)
    raise _invalid("date_type", _("Unknown date type."))


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT)


def dashboard_figures(*, ib: IbProfile, period: Period) -> dict:
    """The cards' values as numbers: counts as `int`, amounts and lots as `Decimal`s (2 places)."""
    totals = IbDailyFigure.objects.filter(ib=ib, day__range=(period.start, period.end)).aggregate(
        new_clients=Sum("new_clients"),
        deposits=Sum("deposits"),
        withdrawals=Sum("withdrawals"),
        lots=Sum("lots"),
        commission_earned=Sum("commission_earned"),
        commission_paid=Sum("commission_paid"),
    )
    # Distinct over the period (a client trading on three days is one active trader).
    active_traders = IbClientActivity.objects.filter(ib=ib, day__range=(period.start, period.end)).aggregate(
        count=Count("client_id", distinct=True)
    )["count"]
    deposits, withdrawals = _money(totals["deposits"]), _money(totals["withdrawals"])
    return {
        "new_clients": totals["new_clients"] or 0,
        "active_traders": active_traders or 0,
        "deposits": deposits,
        "withdrawals": withdrawals,
        "net_deposits": deposits - withdrawals,
        "lots": _money(totals["lots"]),
        "commission_earned": _money(totals["commission_earned"]),
        "commission_paid": _money(totals["commission_paid"]),
    }


def dashboard_cards(*, ib: IbProfile, date_type: str | None, start: dt.date | None, end: dt.date | None) -> dict:
    """`{"period": {...}, "currency", <card>: value, ...}`: amounts and lots as strings."""
    period = dashboard_period(date_type=date_type, start=start, end=end)
    figures = dashboard_figures(ib=ib, period=period)
    return {
        "period": {"date_type": period.date_type, "start_date": period.start, "end_date": period.end},
        "currency": ib.plan.currency if ib.plan is not None else "USD",
        **{key: value if isinstance(value, int) else str(value) for key, value in figures.items()},
    }


def last_update_time(*, ib: IbProfile) -> dt.datetime | None:
    """When the figures were last refreshed: the IB's latest figure row, or the last refresh run (an
    IB with nothing new in the days recomputed still has figures as of then)."""
    state = DailyFigureRefreshState.objects.filter(pk=1).values_list("last_run_at", flat=True).first()
    latest = IbDailyFigure.objects.filter(ib=ib).aggregate(latest=Max("updated_at"))["latest"]
    return max((moment for moment in (state, latest) if moment is not None), default=None)


def chart_series(*, ib: IbProfile, period: Period) -> dict:
    """Per day of the period (zeros where nothing happened): commission earned, lots, deposits and
    withdrawals, as strings; and the top clients by lots and by commission."""
    rows: dict[dt.date, dict] = {
        row["day"]: dict(row)
        for row in IbDailyFigure.objects.filter(ib=ib, day__range=(period.start, period.end)).values(
            "day", "commission_earned", "lots", "deposits", "withdrawals"
        )
    }

    def series(column: str) -> list[str]:
        return [str(_money(rows[day][column] if day in rows else None)) for day in period.days]

    return {
        "period": {"date_type": period.date_type, "start_date": period.start, "end_date": period.end},
        "days": [day.isoformat() for day in period.days],
        "commission_earned": series("commission_earned"),
        "lots": series("lots"),
        "deposits": series("deposits"),
        "withdrawals": series("withdrawals"),
        "top_clients_by_lots": _top_clients_by_lots(ib=ib, period=period),
        "top_clients_by_commission": _top_clients_by_commission(ib=ib, period=period),
    }


def _client_rows(totals: list[dict], value_key: str) -> list[dict]:
    users = User.objects.in_bulk([row["client_id"] for row in totals])
    return [
        {
            "client_user_id": row["client_id"],
            "name": users[row["client_id"]].name or users[row["client_id"]].email,
            "email": users[row["client_id"]].email,
            "value": str(_money(row[value_key])),
        }
        for row in totals
    ]


def _top_clients_by_lots(*, ib: IbProfile, period: Period) -> list[dict]:
    totals = list(
        IbClientActivity.objects.filter(ib=ib, day__range=(period.start, period.end))
        .values("client_id")
        .annotate(total=Sum("lots"))
        .order_by("-total", "client_id")[:TOP_CLIENTS]
    )
    return _client_rows(totals, "total")


def _top_clients_by_commission(*, ib: IbProfile, period: Period) -> list[dict]:
    lines = CommissionLine.objects.all()
    # Upline lines name a downline IB's client: shown only where the plan lets the IB see them.
    if ib.plan is None or not ib.plan.is_downline_visible:
        lines = lines.filter(level=0)
    totals = list(
        lines.filter(
            ib=ib,
            calculated_at__gte=day_start(period.start),
            calculated_at__lt=day_start(period.end + dt.timedelta(days=1)),
        )
        .values("client_id")
        .annotate(total=Coalesce(Sum("amount"), Value(Decimal(0)), output_field=DecimalField()))
        .order_by("-total", "client_id")[:TOP_CLIENTS]
    )
    return _client_rows(totals, "total")
