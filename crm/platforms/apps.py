from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "crm.platforms"
    label = "platforms"
    verbose_name = _("Trading platforms")

    def ready(self) -> None:
        from crm.backoffice.registry import WorkQueue, work_queue_register

        # Failed operations wait for staff to fix the cause and retry them (the admin's retry action).
        work_queue_register(
            WorkQueue(
                key="platform_operations_failed",
                label=_("Failed platform operations"),
                model="platforms.PlatformOperation",
                condition=Q(status="failed"),
                filters={"status__exact": "failed"},
                position=90,
            )
        )
