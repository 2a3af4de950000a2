from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "crm.platforms"
    label = "platforms"
    verbose_name = "Trading platforms"
