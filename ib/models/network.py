"""The IB network: who is an IB, under whom, which clients each brought, where rebates are paid.

The tree is kept twice: `IbProfile.parent` (what staff edit) and `IbAncestry`, its closure table
(one row per IB and each of its ancestors, itself included at depth 0), so "the whole downline"
and "every upline of this IB" are one indexed join in SQL, whatever the depth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class IbProfile(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended (earns nothing)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="ib_profile"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent IB"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    referral_code = models.CharField(_("referral code"), max_length=16, unique=True)
    plan = models.ForeignKey(
        "ib.RebatePlan",
        verbose_name=_("rebate plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ibs",
        help_text=_("The plan that pays on the trades of this IB's own clients, for this IB and its uplines."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("promoted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("became an IB"), auto_now_add=True)

    class Meta:
        verbose_name = _("IB")
        verbose_name_plural = _("IBs")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="ib_profile_not_own_parent")]

    def __str__(self) -> str:
        return str(self.user)


class IbAncestry(models.Model):
    """`ancestor` is `ib` itself (depth 0), its parent (1), its grandparent (2), …"""

    ib = models.ForeignKey(IbProfile, verbose_name=_("IB"), on_delete=models.CASCADE, related_name="ancestry")
    ancestor = models.ForeignKey(
        IbProfile, verbose_name=_("ancestor"), on_delete=models.CASCADE, related_name="descendancy"
    )
    depth = models.PositiveSmallIntegerField(_("depth"))

    class Meta:
        verbose_name = _("IB ancestry")
        verbose_name_plural = _("IB ancestry")
        constraints = [
            models.UniqueConstraint(fields=["ib", "ancestor"], name="ib_ancestry_once"),
            models.UniqueConstraint(fields=["ib", "depth"], name="ib_ancestry_one_per_depth"),
        ]
        indexes = [models.Index(fields=["ancestor", "depth"], name="ib_ancestry_downline")]

    def __str__(self) -> str:
        return f"{self.ancestor_id} is {self.depth} above {self.ib_id}"


class IbApplication(models.Model):
    """A client asking to become an IB, from the portal; staff decide in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.PROTECT, related_name="ib_applications"
    )
    message = models.TextField(_("message"), blank=True, help_text=_("What the client told us about their business."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)

    class Meta:
        verbose_name = _("IB application")
        verbose_name_plural = _("IB applications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="ib_application_one_pending_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"IB application #{self.pk} of {self.user_id}"


class ClientAttribution(models.Model):
    """A client belongs to `ib` for deals closed in [effective_from, effective_to).

    The open row (no `effective_to`) is the client's IB now. A reassignment closes it and opens the
    next one; deals the engine already processed keep the lines they got.
    """

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.PROTECT, related_name="ib_attributions"
    )
    ib = models.ForeignKey(IbProfile, verbose_name=_("IB"), on_delete=models.PROTECT, related_name="attributions")
    effective_from = models.DateTimeField(_("from"))
    effective_to = models.DateTimeField(_("until"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=[("invite_code", _("Invite code or referral link")), ("staff", _("Staff"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("client attribution")
        verbose_name_plural = _("client attributions")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(effective_to__isnull=True), name="client_attribution_one_current"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                name="client_attribution_period_forward",
            ),
        ]
        indexes = [models.Index(fields=["ib", "effective_to"], name="client_attribution_ib_current")]

    def __str__(self) -> str:
        return f"{self.client_id} → IB {self.ib_id} from {self.effective_from:%Y-%m-%d}"


class RebateAccount(models.Model):
    """A trading account of the IB that rebates are paid into; the enabled one receives payouts."""

    ib = models.ForeignKey(IbProfile, verbose_name=_("IB"), on_delete=models.PROTECT, related_name="rebate_accounts")
    trading_account = models.OneToOneField(
        "trading.TradingAccount", verbose_name=_("trading account"), on_delete=models.PROTECT, related_name="+"
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rebate account")
        verbose_name_plural = _("rebate accounts")
        ordering = ["-id"]
        # Payouts go to the one enabled account; enabling another disables it.
        constraints = [
            models.UniqueConstraint(fields=["ib"], condition=Q(is_enabled=True), name="rebate_account_one_enabled")
        ]

    def __str__(self) -> str:
        return f"rebate account {self.trading_account_id} of IB {self.ib_id}"
