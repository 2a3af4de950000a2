from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IbConfig(AppConfig):
    name = "ib"
    verbose_name = _("Introducing brokers")

    def ready(self) -> None:
        # Tasks of ib's packages (not apps of their own, so Celery's autodiscovery misses them).
        import ib.payouts.tasks  # noqa: F401
        from ib.work_queues import payouts_work_register

        payouts_work_register()
