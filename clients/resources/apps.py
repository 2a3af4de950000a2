from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "clients.resources"
    label = "resources"
    verbose_name = _("Downloads and trading tools")
