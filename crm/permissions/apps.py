from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "crm.permissions"
    label = "permissions"
    verbose_name = _("Menus and permissions")
