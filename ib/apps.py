from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IbConfig(AppConfig):
    name = "ib"
    verbose_name = _("Introducing brokers")
