from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.audit.models import AuditEntry
from crm.redaction import redacted


def audit_record(
    *, actor, action: str, target: models.Model, reason: str = "", data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record that `actor` (None: the system) did `action` to `target`. Call it inside the
    transaction that makes the change, so the record and the change stand or fall together.
    Secrets in `data` (keys such as `password`, `token`) are masked: audit rows are read by people."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        reason=reason,
        data=redacted(data or {}),
    )
