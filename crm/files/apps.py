from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "crm.files"
    label = "files"
