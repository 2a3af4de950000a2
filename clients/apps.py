from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _registration_templates_changed(sender, **kwargs) -> None:
    from crm.configuration.cache import public_settings_changed

    public_settings_changed()


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients import models
        from clients.work_queues import clients_work_register

        clients_work_register()
        # The cached registration templates (`clients.selectors.registration_templates`): a hook for the
        # same reason as the public settings' (`crm.configuration.apps`): admin forms and inlines, services
        # and demo loaders all write these rows.
        for model in (
            models.RegistrationTemplate,
            models.RegistrationModule,
            models.KycField,
            models.RegistrationAgreement,
            models.Questionnaire,
            models.QuestionnaireQuestion,
        ):
            post_save.connect(
                _registration_templates_changed, sender=model, dispatch_uid=f"registration-templates-{model.__name__}"
            )
            post_delete.connect(
                _registration_templates_changed,
                sender=model,
                dispatch_uid=f"registration-templates-delete-{model.__name__}",
            )
