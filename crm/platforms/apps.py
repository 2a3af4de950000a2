from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "crm.platforms"
    label = "platforms"
    verbose_name = _("Trading platforms")

    def ready(self) -> None:
        from crm.backoffice.registry import status_queue, work_queue_register

        # Failed operations wait for staff to fix the cause and retry them (the admin's retry action).
        work_queue_register(
            status_queue(
                key="platform_operations_failed",
                label=_("Failed platform operations"),
                model="platforms.PlatformOperation",
                status="failed",
                position=90,
            )
        )
