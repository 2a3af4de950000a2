from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IbConfig(AppConfig):
    name = "ib"
    verbose_name = _("Introducing brokers")

    def ready(self) -> None:
        # Celery's autodiscovery finds `<app>.tasks` only; the packages' task modules register here.
        from ib.dashboard import tasks as dashboard_tasks  # noqa: F401
