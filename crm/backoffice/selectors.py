"""Reads for the back office home: how much work waits in each queue, and today's money.

One aggregate query per model for the counts, one grouped query per daily total, whatever the
number of rows; a staff user sees only the queues and totals of models they may view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby

from django.db.models import Count, Model, Sum
from django.utils import timezone

from crm.backoffice.registry import DailyTotal, WorkQueue, daily_totals, work_queues
from crm.configuration.selectors import company_time_zone
from crm.users.models import User


@dataclass(frozen=True)
class WaitingWork:
    queue: WorkQueue
    count: int


@dataclass(frozen=True)
class TodayTotal:
    total: DailyTotal
    amounts: list[tuple[str, Decimal]]  # (currency, amount), by currency


def _may_view(user: User, model: type[Model]) -> bool:
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}") or user.has_perm(
        f"{meta.app_label}.change_{meta.model_name}"
    )


def work_waiting_for(*, user: User) -> list[WaitingWork]:
    """Each queue `user` may view, with the number of rows waiting in it, in the registry's order."""
    visible = [queue for queue in work_queues() if _may_view(user, queue.model_class)]
    counts: dict[str, int] = {}
    for _model, same_model in groupby(sorted(visible, key=lambda queue: queue.model), key=lambda queue: queue.model):
        queues = list(same_model)
        counts |= queues[0].model_class._default_manager.aggregate(
            **{queue.key: Count("pk", filter=queue.condition) for queue in queues}
        )
    return [WaitingWork(queue=queue, count=counts[queue.key]) for queue in visible]


def company_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of `day` and of the next one, in the company time zone."""
    zone = company_time_zone()
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=zone
    )


def company_today() -> date:
    return timezone.localtime(timezone.now(), company_time_zone()).date()


def today_totals_for(*, user: User, day: date | None = None) -> list[TodayTotal]:
    """Each daily total `user` may view, summed per currency over `day` (today in the company time zone)."""
    start, end = company_day_bounds(day or company_today())
    result = []
    for total in daily_totals():
        model_class = total.model_class
        if not _may_view(user, model_class):
            continue
        rows = (
            model_class._default_manager.filter(
                total.condition, **{f"{total.time_field}__gte": start, f"{total.time_field}__lt": end}
            )
            .values_list(total.currency_field)
            .annotate(amount=Sum(total.amount_field))
            .order_by(total.currency_field)
        )
        result.append(TodayTotal(total=total, amounts=[(currency, amount) for currency, amount in rows]))
    return result
