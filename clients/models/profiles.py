"""Client profiles, the KYC state machine, per-module submissions and the company's client rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models.registration import KycModule
from crm.configuration.models import SingletonModel


class KycStatus(models.TextChoices):
    """The application as a whole, and each module: filled in → sent → decided."""

    FILLING = "filling", _("Filling in")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    DISAPPROVED = "disapproved", _("Disapproved")


class KycWay(models.TextChoices):
    MANUAL = "manual", _("Reviewed by staff")
    E_VERIFY = "e_verify", _("Electronic verification")


class LiveAccountRule(models.TextChoices):
    NONE = "none", _("No KYC needed")
    KYC_SUBMITTED = "kyc_submitted", _("KYC sent for review")
    KYC_APPROVED = "kyc_approved", _("KYC approved")


class ClientSettings(SingletonModel):
    """The company's rules for clients."""

    class EVerifyProvider(models.TextChoices):
        SIMULATED = "simulated", _("Simulated (a page of ours; for demos and tests)")

    live_account_requires = models.CharField(
        _("live accounts require"),
        max_length=16,
        choices=LiveAccountRule.choices,
        default=LiveAccountRule.KYC_APPROVED,
    )
    demo_accounts_enabled = models.BooleanField(_("demo accounts enabled"), default=True)
    e_verify_provider = models.CharField(
        _("e-verification provider"), max_length=32, choices=EVerifyProvider.choices, default=EVerifyProvider.SIMULATED
    )
    e_verify_approves_kyc = models.BooleanField(
        _("e-verification approves KYC"),
        default=True,
        help_text=_(
            "A client who passes electronic verification is approved without staff review once the rest of the "
            "application is sent."
        ),
    )
    e_verify_session_minutes = models.PositiveSmallIntegerField(
        _("e-verification session lifetime (minutes)"), default=30
    )
    e_verify_max_attempts = models.PositiveSmallIntegerField(
        _("e-verification attempts per client"), default=3, help_text=_("Sessions a client may start in all.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("client settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(e_verify_session_minutes__gte=1), name="client_settings_session_minutes"
            ),
            models.CheckConstraint(condition=Q(e_verify_max_attempts__gte=1), name="client_settings_max_attempts"),
        ]

    def __str__(self) -> str:
        return str(_("Client settings"))


class ClientProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="client_profile"
    )
    # Kept as given at sign-up; IB attribution reads it.
    invite_code = models.CharField(_("invite code"), max_length=64, blank=True, db_index=True)
    registration_template = models.ForeignKey(
        "clients.RegistrationTemplate",
        verbose_name=_("registration template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The template the client started filling in; empty until then."),
    )
    kyc_status = models.CharField(
        _("KYC status"), max_length=16, choices=KycStatus.choices, default=KycStatus.FILLING, db_index=True
    )
    kyc_way = models.CharField(_("KYC way"), max_length=16, choices=KycWay.choices, blank=True)
    kyc_reason = models.TextField(_("reason"), blank=True, help_text=_("Why the application was disapproved."))
    kyc_submitted_at = models.DateTimeField(_("sent for review"), null=True, blank=True)
    kyc_approved_at = models.DateTimeField(_("KYC approved"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client profile")
        verbose_name_plural = _("client profiles")
        # The KYC queue's order (clients_for_review): its first page without sorting every profile.
        indexes = [models.Index(fields=["kyc_submitted_at", "id"], name="client_profile_review_order")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kyc_status=KycStatus.APPROVED) | (Q(kyc_approved_at__isnull=False) & ~Q(kyc_way="")),
                name="client_profile_approved_has_time_and_way",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_editable(self) -> bool:
        """Whether the client may change the application (not while it is reviewed, nor once approved)."""
        return self.kyc_status in (KycStatus.FILLING, KycStatus.DISAPPROVED)


class KycModuleSubmission(models.Model):
    """What a client entered in one module, and where it stands."""

    profile = models.ForeignKey(
        ClientProfile, on_delete=models.CASCADE, related_name="kyc_modules", verbose_name=_("client profile")
    )
    module = models.CharField(_("module"), max_length=32, choices=KycModule.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=KycStatus.choices, default=KycStatus.FILLING)
    reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("KYC module")
        verbose_name_plural = _("KYC modules")
        constraints = [models.UniqueConstraint(fields=["profile", "module"], name="kyc_module_once_per_profile")]

    def __str__(self) -> str:
        return f"{self.profile} · {self.get_module_display()}"
