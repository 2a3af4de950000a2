from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulatorConfig(AppConfig):
    """The embedded trading platform: the default adapter, with its own tables."""

    name = "crm.platforms.simulator"
    label = "simulator"
    verbose_name = _("Platform simulator")

    def ready(self) -> None:
        from crm.platforms.gateway import register_adapter
        from crm.platforms.simulator.adapter import SimulatorGateway

        register_adapter("simulator", SimulatorGateway)
