"""Figures the dashboard reads, pre-aggregated per IB and day by the engine's runs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from funds.models import amount_field


class IbDailyFigure(models.Model):
    """One IB's direct business on one day (company time zone), in the plan's currency."""

    ib = models.ForeignKey("ib.IbProfile", verbose_name=_("IB"), on_delete=models.CASCADE, related_name="daily_figures")
    day = models.DateField(_("day"))
    new_clients = models.PositiveIntegerField(_("new clients"), default=0)
    active_traders = models.PositiveIntegerField(_("active traders"), default=0)
    deposits = amount_field(verbose_name=_("deposits"), default=0)
    withdrawals = amount_field(verbose_name=_("withdrawals"), default=0)
    lots = models.DecimalField(_("lots traded"), max_digits=16, decimal_places=2, default=0)
    commission_earned = amount_field(verbose_name=_("commission earned"), default=0)
    commission_paid = amount_field(verbose_name=_("commission paid"), default=0)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("IB daily figure")
        verbose_name_plural = _("IB daily figures")
        ordering = ["ib", "-day"]
        constraints = [models.UniqueConstraint(fields=["ib", "day"], name="ib_daily_figure_once")]

    def __str__(self) -> str:
        return f"IB {self.ib_id} on {self.day}"
