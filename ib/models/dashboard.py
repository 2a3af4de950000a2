"""Figures the dashboard reads, pre-aggregated per IB and day by the engine's runs."""

from __future__ import annotations

from django.conf import settings
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


class IbClientActivity(models.Model):
    """A client of the IB traded on that day (company time zone), with the lots closed.

    Written by the figures refresh beside `IbDailyFigure`. "Active traders" over a period of several
    days is the number of distinct clients here, an index-only count on (ib, day, client); "top
    clients by lots" sums it.
    """

    ib = models.ForeignKey("ib.IbProfile", verbose_name=_("IB"), on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    lots = models.DecimalField(_("lots traded"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("IB client activity")
        verbose_name_plural = _("IB client activity")
        constraints = [models.UniqueConstraint(fields=["ib", "day", "client"], name="ib_client_activity_once")]

    def __str__(self) -> str:
        return f"client {self.client_id} of IB {self.ib_id} traded on {self.day}"


class DailyFigureRefreshState(models.Model):
    """The one row the figures refresh locks: when it last ran (the dashboard's last update time)."""

    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_since = models.DateField(_("last run recomputed from"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("daily figures refresh state")

    def __str__(self) -> str:
        return f"daily figures refreshed at {self.last_run_at}"
