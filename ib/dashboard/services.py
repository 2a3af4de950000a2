"""The dashboard's pre-aggregated figures: `IbDailyFigure` per IB and company-time-zone day, and
`IbClientActivity` per IB, client and day.

`daily_figures_refresh` recomputes the days from `since` on: it deletes their rows and writes them
again with one grouped `INSERT … SELECT … ON CONFLICT DO UPDATE` per figure family (the SELECT is
built by the ORM, so the time-zone day and the attribution join are the same SQL Django would run,
on SQLite and PostgreSQL alike). Nothing is read into Python, whatever the number of deals.

Which IB a client's deposit, withdrawal or deal belongs to is the attribution period covering the
moment it happened (`ClientAttribution`); the dashboard shows an IB's direct business (own clients),
plus the commission lines paid to it at every level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients.trading.models import ClosedDeal
from crm.configuration.selectors import company_time_zone
from funds.deposits.models import Deposit
from funds.withdrawals.models import Withdrawal
from ib.models import (
    ClientAttribution,
    CommissionLine,
    DailyFigureRefreshState,
    IbClientActivity,
    IbDailyFigure,
    RebatePayout,
)

FIGURE_COLUMNS = (
    "new_clients",
    "active_traders",
    "deposits",
    "withdrawals",
    "lots",
    "commission_earned",
    "commission_paid",
)


def company_today(*, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), company_time_zone()).date()


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the company's time zone (an aware datetime)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=company_time_zone())


def _day_of(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=company_time_zone(), output_field=DateField())


def _attributed_at(path: str, moment: str) -> Q:
    """The client at `path` was attributed to an IB when `moment` happened (one join: a single Q)."""
    return Q(**{f"{path}__effective_from__lte": F(moment)}) & (
        Q(**{f"{path}__effective_to__isnull": True}) | Q(**{f"{path}__effective_to__gt": F(moment)})
    )


def _since(queryset: QuerySet, field: str, start: dt.datetime | dt.date | None) -> QuerySet:
    return queryset if start is None else queryset.filter(**{f"{field}__gte": start})


def _family_queries(since: dt.date | None, start: dt.datetime | None) -> dict[tuple[str, ...], QuerySet]:
    """One grouped SELECT per family: (figure_ib, figure_day, the family's columns in order)."""
    new_clients = (
        _since(ClientAttribution.objects.all(), "effective_from", start)
        .values(figure_ib=F("ib_id"), figure_day=_day_of("effective_from"))
        .annotate(new_clients=Count("id"))
    )
    deposits = (
        _since(Deposit.objects.filter(status=Deposit.Status.CREDITED), "credited_at", start)
        .filter(_attributed_at("user__ib_attributions", "credited_at"))
        .values(figure_ib=F("user__ib_attributions__ib_id"), figure_day=_day_of("credited_at"))
        .annotate(deposits=Sum("credited_amount"))
    )
    withdrawals = (
        _since(Withdrawal.objects.filter(status=Withdrawal.Status.PAID), "paid_at", start)
        .filter(_attributed_at("user__ib_attributions", "paid_at"))
        .values(figure_ib=F("user__ib_attributions__ib_id"), figure_day=_day_of("paid_at"))
        .annotate(withdrawals=Sum("withdrawal_amount"))
    )
    trading = (
        _since(IbClientActivity.objects.all(), "day", since)
        .values(figure_ib=F("ib_id"), figure_day=F("day"))
        .annotate(active_traders=Count("client_id"), lots=Sum("lots"))
    )
    earned = (
        _since(CommissionLine.objects.all(), "calculated_at", start)
        .values(figure_ib=F("ib_id"), figure_day=_day_of("calculated_at"))
        .annotate(commission_earned=Sum("amount"))
    )
    paid = (
        _since(RebatePayout.objects.filter(status=RebatePayout.Status.PAID), "granted_at", start)
        .values(figure_ib=F("ib_id"), figure_day=_day_of("granted_at"))
        .annotate(commission_paid=Sum("amount"))
    )
    return {
        ("new_clients",): new_clients,
        ("deposits",): deposits,
        ("withdrawals",): withdrawals,
        ("active_traders", "lots"): trading,
        ("commission_earned",): earned,
        ("commission_paid",): paid,
    }


def _activity_query(start: dt.datetime | None) -> QuerySet:
    """(figure_ib, figure_client, figure_day, figure_lots): each client's mirrored deals per attributed IB
    and day; deals deleted on the platform do not count."""
    return (
        _since(ClosedDeal.objects.filter(vanished_at__isnull=True), "close_time", start)
        .filter(_attributed_at("trading_account__user__ib_attributions", "close_time"))
        .values(
            figure_ib=F("trading_account__user__ib_attributions__ib_id"),
            figure_client=F("trading_account__user_id"),
            figure_day=_day_of("close_time"),
        )
        .annotate(figure_lots=Sum("volume_lots"))
    )


def _select_sql(queryset: QuerySet, columns: Sequence[str]) -> tuple[str, tuple]:
    """`SELECT <columns> FROM (<queryset>) family`: the aliases picked in our order, whatever order
    the ORM put them in."""
    sql, params = queryset.order_by().query.sql_with_params()
    picked = ", ".join(f"family.{connection.ops.quote_name(column)}" for column in columns)
    return f"SELECT {picked} FROM ({sql}) family", tuple(params)  # noqa: S608 (ORM SQL, constant names)


def _upsert_family(queryset: QuerySet, columns: Sequence[str], now: dt.datetime) -> None:
    table = connection.ops.quote_name(IbDailyFigure._meta.db_table)
    select, params = _select_sql(queryset, ["figure_ib", "figure_day", *columns])
    # Every column is NOT NULL without a database default: the other families' columns start at 0.
    values = ", ".join(
        [
            "picked.figure_ib",
            "picked.figure_day",
            *(f"picked.{column}" if column in columns else "0" for column in FIGURE_COLUMNS),
            "%s",
        ]
    )
    updates = ", ".join(f"{column} = excluded.{column}" for column in (*columns, "updated_at"))
    # `WHERE true`: SQLite needs it to read ON CONFLICT as the upsert clause after a SELECT.
    statement = (
        f"INSERT INTO {table} (ib_id, day, {', '.join(FIGURE_COLUMNS)}, updated_at) "  # noqa: S608 (constant names)
        f"SELECT {values} FROM ({select}) picked WHERE true "
        f"ON CONFLICT (ib_id, day) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (connection.ops.adapt_datetimefield_value(now), *params))


def _insert_activity(start: dt.datetime | None) -> None:
    table = connection.ops.quote_name(IbClientActivity._meta.db_table)
    select, params = _select_sql(_activity_query(start), ["figure_ib", "figure_client", "figure_day", "figure_lots"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (ib_id, client_id, day, lots) {select}", params)


def _state_locked() -> DailyFigureRefreshState:
    DailyFigureRefreshState.objects.get_or_create(pk=1)
    return DailyFigureRefreshState.objects.select_for_update().get(pk=1)


@transaction.atomic
def daily_figures_refresh(*, since: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Recompute the figures of the days from `since` (company time zone) to today; returns the
    number of (IB, day) rows written.

    Without `since`: yesterday and today, or every day on the first run. Two refreshes at once run
    one after the other (the state row is locked), so neither sees the other's half-written days.
    """
    now = now or timezone.now()
    state = _state_locked()
    if since is None and state.last_run_at is not None:
        since = company_today(now=now) - dt.timedelta(days=1)
    start = None if since is None else day_start(since)

    figures, activity = IbDailyFigure.objects.all(), IbClientActivity.objects.all()
    if since is not None:
        figures, activity = figures.filter(day__gte=since), activity.filter(day__gte=since)
    figures.delete()
    activity.delete()
    _insert_activity(start)
    for columns, queryset in _family_queries(since, start).items():
        _upsert_family(queryset, columns, now)

    state.last_run_at, state.last_since = now, since
    state.save(update_fields=["last_run_at", "last_since"])
    return IbDailyFigure.objects.filter(updated_at=now).count()
