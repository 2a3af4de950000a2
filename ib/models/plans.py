"""Rebate plans: what an IB chain earns per closed deal of a client.

A plan has versions; a published version applies to deals closed from its `effective_from` until
the next published version's. A version is never edited once published (a change is a new
version), so every commission line can be traced to the rule that made it.

A rate pays one `level` of the chain (0: the client's own IB, 1: its parent, …) and matches a deal
by account type (empty: any) and by symbol (an override) or symbol group (empty: any); the most
specific match wins. It pays `per_lot` × lots + `commission_percent` % of the deal's commission +
`spread_percent` % of its spread cost. `cap_per_lot` bounds what all levels together earn per lot:
levels are paid from the client's IB upward until the cap is reached.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.platforms.gateway import SymbolGroup

RATE = {"max_digits": 12, "decimal_places": 4}
PERCENT = {"max_digits": 7, "decimal_places": 4}


class RebatePlan(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=8, default="USD", help_text=_("What rates are paid in."))
    is_downline_visible = models.BooleanField(
        _("IBs see their downline's clients"),
        default=True,
        help_text=_("Whether an IB on this plan sees sub-IBs' clients."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rebate plan")
        verbose_name_plural = _("rebate plans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RebatePlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(RebatePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateTimeField(_("applies to deals closed from"))
    cap_per_lot = models.DecimalField(
        _("cap per lot (all levels)"), null=True, blank=True, help_text=_("Empty: no cap."), **RATE
    )
    minimum_payout = models.DecimalField(
        _("minimum payout"), default=0, help_text=_("Smaller amounts wait for the next payout."), **RATE
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("rebate plan version")
        verbose_name_plural = _("rebate plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="rebate_plan_version_number_once"),
            models.CheckConstraint(
                condition=Q(cap_per_lot__isnull=True) | Q(cap_per_lot__gte=0), name="rebate_plan_version_cap_sign"
            ),
            models.CheckConstraint(condition=Q(minimum_payout__gte=0), name="rebate_plan_version_minimum_sign"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="rebate_plan_version_published_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class RebateRate(models.Model):
    version = models.ForeignKey(
        RebatePlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="rates"
    )
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("0: the client's own IB, 1: its parent, …"))
    account_type = models.ForeignKey(
        "trading.TradingAccountType",
        verbose_name=_("account type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: any account type."),
    )
    symbol_group = models.CharField(
        _("symbol group"), max_length=16, choices=SymbolGroup.choices, blank=True, help_text=_("Empty: any group.")
    )
    symbol = models.CharField(_("symbol"), max_length=32, blank=True, help_text=_("An override for one symbol."))
    per_lot = models.DecimalField(_("per lot"), default=0, **RATE)
    # xgettext:no-python-format
    commission_percent = models.DecimalField(_("% of commission"), default=0, **PERCENT)
    # xgettext:no-python-format
    spread_percent = models.DecimalField(_("% of spread"), default=0, **PERCENT)

    class Meta:
        verbose_name = _("rebate rate")
        verbose_name_plural = _("rebate rates")
        ordering = ["version", "level", "symbol", "symbol_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "level", "account_type", "symbol_group", "symbol"],
                name="rebate_rate_once_per_match",
            ),
            models.CheckConstraint(
                condition=Q(per_lot__gte=0) & Q(commission_percent__gte=0) & Q(spread_percent__gte=0),
                name="rebate_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(commission_percent__lte=100) & Q(spread_percent__lte=100), name="rebate_rate_percent_max"
            ),
        ]

    def __str__(self) -> str:
        target = self.symbol or self.symbol_group or "*"
        return f"L{self.level} {target}"
