"""Electronic identity-verification sessions (e-KYC with a provider such as Sumsub)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EVerifySession(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    profile = models.ForeignKey(
        "clients.ClientProfile",
        on_delete=models.CASCADE,
        related_name="e_verify_sessions",
        verbose_name=_("client profile"),
    )
    provider = models.CharField(_("provider"), max_length=32)
    # The id the client holds (random, public); the provider's own id is `external_reference`.
    session_id = models.CharField(_("session id"), max_length=64, unique=True)
    external_reference = models.CharField(_("provider's reference"), max_length=128, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempt_times = models.PositiveSmallIntegerField(_("attempt"), help_text=_("This is the client's n-th session."))
    retry_times = models.PositiveSmallIntegerField(
        _("attempts left"), help_text=_("Sessions the client may still start.")
    )
    reason_code = models.CharField(_("reason code"), max_length=64, blank=True)
    reason_msg = models.CharField(_("reason"), max_length=500, blank=True)
    redirect_url = models.URLField(_("verification page"), max_length=2000, blank=True)
    success_url = models.URLField(_("success URL"), max_length=2000)
    failed_url = models.URLField(_("failure URL"), max_length=2000)
    expire_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-verification session")
        verbose_name_plural = _("e-verification sessions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "attempt_times"], name="e_verify_attempt_once_per_profile"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False), name="e_verify_completed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.session_id
