"""Closed deals mirrored from every trading server, and where each server's sync stands.

A deal is stored once per (server, deal ticket). The platform may still change a deal after we
copied it (an MT5 manager can correct or delete one): the re-read of recent deals bumps
`revision` when the figures changed and sets `vanished_at` when the deal is gone, and the
commission engine reverses what it paid on the old revision. Rows are never deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.platforms.gateway import Side, SymbolGroup

MONEY = {"max_digits": 18, "decimal_places": 2}
PRICE = {"max_digits": 20, "decimal_places": 6}
LOTS = {"max_digits": 12, "decimal_places": 2}

# FILLED_BY_A_JOIN: the ingest sets `server` and `trading_account` from the rows it joins, and
# servers and trading accounts are never deleted (PROTECT). Database foreign keys would re-check
# every mirrored deal at commit, a third of the ingest's time at a million deals.


class ClosedDeal(models.Model):
    # No index of their own on the two keys: (server, deal ticket) and (trading account, close time) lead with
    # them, and every index less is faster bulk inserts.
    server = models.ForeignKey(
        "platforms.TradingServer",
        verbose_name=_("trading server"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see FILLED_BY_A_JOIN
    )
    deal_ticket = models.PositiveBigIntegerField(_("deal ticket"))
    position_ticket = models.PositiveBigIntegerField(_("position ticket"))
    login = models.PositiveBigIntegerField(_("login"))
    # Null when the login is not one of our trading accounts (a platform-only account).
    trading_account = models.ForeignKey(
        "trading.TradingAccount",
        verbose_name=_("trading account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_deals",
        db_index=False,
        db_constraint=False,  # see FILLED_BY_A_JOIN
    )
    symbol = models.CharField(_("symbol"), max_length=32)
    # Copied from the server's symbol list at sync time, so rebate rates by group need no join.
    symbol_group = models.CharField(_("symbol group"), max_length=16, choices=SymbolGroup.choices, blank=True)
    side = models.CharField(_("side"), max_length=4, choices=Side.choices)
    volume_lots = models.DecimalField(_("volume (lots)"), **LOTS)
    open_time = models.DateTimeField(_("open time"))
    open_price = models.DecimalField(_("open price"), **PRICE)
    close_time = models.DateTimeField(_("close time"))
    close_price = models.DecimalField(_("close price"), **PRICE)
    profit = models.DecimalField(_("profit"), **MONEY)
    commission = models.DecimalField(_("commission"), **MONEY)
    swap = models.DecimalField(_("swap"), **MONEY)
    # What the spread cost the client on this trade, in the account's currency (plans may pay a share).
    spread_cost = models.DecimalField(_("spread cost"), default=0, **MONEY)
    comment = models.CharField(_("comment"), max_length=100, blank=True)
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Bumped when the platform corrects the deal.")
    )
    vanished_at = models.DateTimeField(
        _("deleted on the platform"), null=True, blank=True, help_text=_("When a re-read no longer found the deal.")
    )
    synced_at = models.DateTimeField(_("copied"))

    class Meta:
        verbose_name = _("closed deal")
        verbose_name_plural = _("closed deals")
        ordering = ["-close_time", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["server", "deal_ticket"], name="closed_deal_once_per_server"),
            models.CheckConstraint(condition=Q(volume_lots__gt=0), name="closed_deal_volume_positive"),
        ]
        indexes = [
            models.Index(fields=["trading_account", "close_time"], name="closed_deal_account_close"),
            models.Index(fields=["server", "close_time"], name="closed_deal_server_close"),
        ]

    def __str__(self) -> str:
        return f"deal #{self.deal_ticket}"


class DealSyncState(models.Model):
    """Where the deal sync of one server stands: the close time it asks the platform from next."""

    server = models.OneToOneField(
        "platforms.TradingServer", verbose_name=_("trading server"), on_delete=models.PROTECT, related_name="+"
    )
    watermark = models.DateTimeField(_("synced up to"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run_deals = models.PositiveIntegerField(_("deals copied by the last run"), default=0)
    last_reread_at = models.DateTimeField(_("last re-read of recent deals"), null=True, blank=True)

    class Meta:
        verbose_name = _("deal sync state")
        verbose_name_plural = _("deal sync states")

    def __str__(self) -> str:
        return f"deal sync of server {self.server_id}"
