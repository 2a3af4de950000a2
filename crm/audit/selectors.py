from django.contrib.contenttypes.models import ContentType
from django.db import models

from crm.audit.models import AuditEntry


def audit_entries_for(*, target: models.Model):
    """The history of one object, newest first."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
