from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients import models
        from clients.work_queues import clients_work_register
        from crm.configuration.cache import public_settings_fed_by

        clients_work_register()
        # The cached registration templates (`clients.selectors.registration_templates`).
        public_settings_fed_by(
            models.RegistrationTemplate,
            models.RegistrationModule,
            models.KycField,
            models.RegistrationAgreement,
            models.Questionnaire,
            models.QuestionnaireQuestion,
        )
