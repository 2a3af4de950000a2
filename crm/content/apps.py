from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "crm.content"
    label = "content"
