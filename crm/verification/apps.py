from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "crm.verification"
    label = "verification"
