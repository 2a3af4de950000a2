"""Where the apps tell the back office what work waits for staff and which money to total each day.

A `WorkQueue` is one card on the admin home: a count of the rows matching `condition` and a link to
the model's changelist with `filters`, which must select exactly those rows (a test holds each app
to it). A `DailyTotal` sums `amount_field` per `currency_field` over the rows matching `condition`
whose `time_field` falls on today in the company time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Model, Q
from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkQueue:
    key: str
    label: str | Promise
    model: str  # "app_label.ModelName"
    condition: Q
    filters: dict[str, str]
    position: int = 0

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)


def status_queue(
    *, key: str, label: str | Promise, model: str, status: str, position: int, field: str = "status"
) -> WorkQueue:
    """The rows in one state: counted by `field = status` and opened with the admin's own list filter."""
    return WorkQueue(
        key=key,
        label=label,
        model=model,
        condition=Q(**{field: status}),
        filters={f"{field}__exact": status},
        position=position,
    )


@dataclass(frozen=True)
class DailyTotal:
    key: str
    label: str | Promise
    model: str
    condition: Q
    time_field: str
    amount_field: str
    currency_field: str
    position: int = 0

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)


@dataclass
class _Registry:
    queues: dict[str, WorkQueue] = field(default_factory=dict)
    totals: dict[str, DailyTotal] = field(default_factory=dict)


_registry = _Registry()


def work_queue_register(queue: WorkQueue) -> None:
    """Add or replace (by key, so a second `ready()` is harmless) one card of work waiting."""
    _registry.queues[queue.key] = queue


def daily_total_register(total: DailyTotal) -> None:
    _registry.totals[total.key] = total


def work_queues() -> list[WorkQueue]:
    return sorted(_registry.queues.values(), key=lambda queue: (queue.position, queue.key))


def daily_totals() -> list[DailyTotal]:
    return sorted(_registry.totals.values(), key=lambda total: (total.position, total.key))
