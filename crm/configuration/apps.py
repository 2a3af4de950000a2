from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _public_settings_changed(sender, **kwargs) -> None:
    from crm.configuration.cache import public_settings_changed

    public_settings_changed()


class ConfigurationConfig(AppConfig):
    name = "crm.configuration"
    label = "configuration"
    verbose_name = _("Settings")

    def ready(self) -> None:
        from crm.configuration import models

        # A hook, not a call in each write path: these rows are written by the admin's forms,
        # list_editable and actions, by services and by the demo loaders; a
        # write path that forgot to forget the cache would serve stale settings for an hour.
        # (QuerySet.update() sends no signal: its callers save a row in the same transaction.)
        for model in (
            models.Company,
            models.Appearance,
            models.AppKeys,
            models.SecuritySettings,
            models.Country,
            models.Currency,
            models.Leverage,
            models.PortalLanguage,
        ):
            post_save.connect(_public_settings_changed, sender=model, dispatch_uid=f"public-settings-{model.__name__}")
            post_delete.connect(
                _public_settings_changed, sender=model, dispatch_uid=f"public-settings-delete-{model.__name__}"
            )
