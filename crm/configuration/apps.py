from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigurationConfig(AppConfig):
    name = "crm.configuration"
    label = "configuration"
    verbose_name = _("Settings")
