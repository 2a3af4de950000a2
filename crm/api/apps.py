from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The API conventions; an app only so that they apply before any serializer is declared."""

    name = "crm.api"
    label = "crm_api"
    verbose_name = _("API conventions")

    def ready(self) -> None:
        from crm.api.fields import bound_integer_fields

        bound_integer_fields()
