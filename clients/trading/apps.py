from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradingConfig(AppConfig):
    name = "clients.trading"
    label = "trading"
    verbose_name = _("Trading accounts")
