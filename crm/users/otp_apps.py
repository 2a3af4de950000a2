"""django-otp's TOTP devices under a translated name in the back office.

django-otp names its app and model in English only; staff read the admin in Chinese too. The names
are set on `_meta` (not `Meta`), so the migrations of the third-party app see no change.
"""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig


class TOTPDevicesConfig(DefaultConfig):
    verbose_name = _("Two-factor authentication")

    def ready(self) -> None:
        device = self.get_model("TOTPDevice")
        device._meta.verbose_name = _("TOTP device")
        device._meta.verbose_name_plural = _("TOTP devices")
