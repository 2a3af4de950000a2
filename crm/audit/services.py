from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.audit.models import AuditEntry


def audit_record(
    *, actor, action: str, target: models.Model, reason: str = "", data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that `actor` (None: the system) did `action` to `target`. Call it inside the
    transaction that makes the change, so the record and the change stand or fall together."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        reason=reason,
        data=data or {},
    )
