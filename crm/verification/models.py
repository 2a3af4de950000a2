from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.configuration.models import VerificationScene


class EmailCode(models.Model):
    """A 6-digit code e-mailed for one scene. Only its SHA-256 is stored, never the code.

    A code is live until it is consumed, superseded by a newer code for the same e-mail and
    scene, or expired. Failed attempts are counted in the cache, not here, so a wrong guess
    writes nothing."""

    email = models.EmailField(_("e-mail"))  # lower-cased
    scene = models.CharField(_("scene"), max_length=16, choices=VerificationScene.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    consumed_at = models.DateTimeField(_("consumed at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail code")
        verbose_name_plural = _("e-mail codes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["email", "scene"], name="email_code_email_scene")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="email_code_expires_after_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scene_display()} code for {self.email}"

    @property
    def is_live(self) -> bool:
        return self.consumed_at is None and self.superseded_at is None and self.expires_at > timezone.now()
