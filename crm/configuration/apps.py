from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "crm.configuration"
    label = "configuration"
    verbose_name = "Settings"
