"""The abstract step of a money movement: who moved it from which status to which, when and why.

Each movement keeps its own table of events (`DepositEvent`, `WithdrawalEvent`, …) with a foreign
key named after the movement and `related_name="events"`; the status fields carry the movement's
own choices, so they are built by `event_status_field` rather than declared here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STATUS_MAX_LENGTH = 10


def event_status_field(
    statuses: type[models.TextChoices], *, verbose_name: str | Promise, blank: bool = False
) -> models.CharField[Any, Any]:
    """`from_status` (blank: the movement was just created) or `to_status` of an event."""
    return models.CharField(verbose_name, max_length=STATUS_MAX_LENGTH, choices=statuses.choices, blank=blank)


def event_actor_field(*, help_text: str | Promise) -> models.ForeignKey[Any, Any]:
    """Who made the step; `help_text` says which parts of the system act when it is empty."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=help_text,
    )


class Movement(models.Model):
    """A client's money movement with an order number and a status machine. Subclasses declare `user`
    (its reverse name is theirs), `status` with their `Status` choices, and `OPEN` (the statuses that
    can still move)."""

    order_number = models.CharField(_("order number"), max_length=32, unique=True)
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    status: str
    OPEN: ClassVar[tuple[str, ...]]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.order_number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class MovementEvent(models.Model):
    """One step of a movement. Subclasses add the movement's foreign key (`related_name="events"`),
    `from_status`, `to_status`, `actor` and, where the movement names its steps, `action`."""

    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    # The name of the foreign key to the movement ("deposit", "withdrawal", …).
    movement_field: str
    from_status: str
    to_status: str

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        movement_id = getattr(self, f"{self.movement_field}_id")
        action = getattr(self, "action", "")
        step = f"{action} " if action else ""
        return f"{movement_id}: {step}{self.from_status or '—'} → {self.to_status}"
