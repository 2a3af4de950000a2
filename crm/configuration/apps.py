from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigurationConfig(AppConfig):
    name = "crm.configuration"
    label = "configuration"
    verbose_name = _("Settings")

    def ready(self) -> None:
        from crm.configuration import models
        from crm.configuration.cache import public_settings_fed_by

        public_settings_fed_by(
            models.Company,
            models.Appearance,
            models.AppKeys,
            models.SecuritySettings,
            models.Country,
            models.Currency,
            models.Leverage,
            models.PortalLanguage,
        )
