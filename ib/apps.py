from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IbConfig(AppConfig):
    name = "ib"
    verbose_name = _("Introducing brokers")

    def ready(self) -> None:
        # Celery's autodiscovery finds `<app>.tasks` only; the packages' task modules register here.
        import ib.commissions.tasks  # noqa: F401
        import ib.dashboard.tasks  # noqa: F401
        import ib.payouts.tasks  # noqa: F401
        from ib.work_queues import ib_work_register

        ib_work_register()
