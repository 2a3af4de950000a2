"""Writes every movement shares: order numbers, a status transition with its event and audit row, a
message to the client. Callers hold the movement's row lock (`select_for_update`) and run inside
their own `transaction.atomic`; nothing here opens a transaction of its own except the savepoint
around an order number's insert."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.audit.services import audit_record
from crm.configuration.selectors import company_time_zone
from crm.inbox.services import message_send
from crm.users.models import User
from funds.errors import FundsError
from funds.money import CurrencyLike
from funds.movements.models import Movement, MovementEvent
from funds.selectors import convert

MovementT = TypeVar("MovementT", bound=Movement)

ORDER_NUMBER_ATTEMPTS = 5
SENDER = "Finance"


def order_number_new(*, prefix: str, now: datetime | None = None) -> str:
    """`prefix` + the company's date + 6 random digits: `W20261123482913`."""
    day = timezone.localtime(now or timezone.now(), company_time_zone())
    return f"{prefix}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


def movement_create_numbered(
    *,
    model: type[MovementT],
    prefix: str,
    now: datetime,
    on_integrity_error: Callable[[], None] | None = None,
    **fields: Any,
) -> MovementT:
    """Create the movement with a fresh order number, trying another one when it is taken.

    Another unique constraint can refuse the row too: `on_integrity_error` may then raise the
    refusal the caller owes (a draft made meanwhile, …); otherwise the next number is tried."""
    for _attempt in range(ORDER_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return model._default_manager.create(order_number=order_number_new(prefix=prefix, now=now), **fields)
        except IntegrityError:
            if on_integrity_error is not None:
                on_integrity_error()
    raise RuntimeError("Could not find a free order number.")


def _event_model(movement: Movement) -> type[MovementEvent]:
    """The movement's table of events: the model whose foreign key to it is named `events` backwards."""
    relation = next(relation for relation in movement._meta.related_objects if relation.related_name == "events")
    model = relation.related_model
    assert isinstance(model, type) and issubclass(model, MovementEvent)
    return model


def movement_event_record(
    *,
    movement: Movement,
    action: str,
    from_status: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """The movement's event and its audit row (`<model>.<action>`), for the step that left it in its
    current status. Event tables without an `action` column (deposits) name the step by its status."""
    event_model = _event_model(movement)
    # The concrete event's own fields, which the abstract model cannot name for the type checker.
    fields: dict[str, Any] = {
        event_model.movement_field: movement,
        "from_status": from_status,
        "to_status": movement.status,
        "actor": actor,
    }
    if any(field.name == "action" for field in event_model._meta.fields):
        fields["action"] = action
    event_model._default_manager.create(**fields, reason=reason, data=data or {})
    audit_record(
        actor=actor,
        action=f"{movement._meta.model_name}.{action}",
        target=movement,
        reason=reason,
        data={"from": from_status, "to": movement.status, **(data or {})},
    )


def movement_transition(
    *,
    movement: MovementT,
    to_status: str,
    action: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: tuple[str, ...] = (),
) -> MovementT:
    """Move a locked movement to `to_status`, saving `fields` too, with its event and audit row."""
    from_status = movement.status
    movement.status = to_status
    movement.save(update_fields=["status", *fields, "updated_at"])
    movement_event_record(
        movement=movement, action=action, from_status=from_status, actor=actor, reason=reason, data=data
    )
    return movement


def movement_client_tell(*, user: User, title: dict[str, str], content: dict[str, str]) -> None:
    """A message to the client's message centre, from Finance, in both languages."""
    message_send(recipients=[user], title_i18n=title, content_i18n=content, sender=SENDER)


def value_in(*, amount: Decimal, currency: CurrencyLike, to_currency: str) -> Decimal | None:
    """`amount` converted at today's rate, or None when there is no rate (the caller then applies its
    stricter rule)."""
    try:
        return convert(amount=amount, from_currency=currency, to_currency=to_currency)
    except FundsError:
        return None
