from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "crm.permissions"
    label = "permissions"
