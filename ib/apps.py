from django.apps import AppConfig


class IbConfig(AppConfig):
    name = "ib"
