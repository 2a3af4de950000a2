from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The API conventions; an app only so that they apply before any serializer is declared."""

    name = "crm.api"
    label = "crm_api"

    def ready(self) -> None:
        from crm.api.fields import bound_integer_fields

        bound_integer_fields()
