from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"

    def ready(self) -> None:
        from funds.work_queues import funds_work_register

        funds_work_register()
