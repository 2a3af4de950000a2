from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The embedded trading platform: the default adapter, with its own tables."""

    name = "crm.platforms.simulator"
    label = "simulator"
    verbose_name = "Platform simulator"

    def ready(self) -> None:
        from crm.platforms.gateway import register_adapter
        from crm.platforms.simulator.adapter import SimulatorGateway

        register_adapter("simulator", SimulatorGateway)
