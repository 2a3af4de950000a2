"""What the engine computed and what was paid.

`CommissionLine`: one per (deal, receiving IB, deal revision, kind). A reversal line carries the
negative amount of the line it reverses (a deal corrected or deleted on the platform after it was
computed); lines are never edited, except to be gathered into a payout.

`RebatePayout`: the lines of one IB gathered at once (the spec's `rebate_aggregation_id`) and paid
into the IB's enabled rebate account through the ledger and the platform outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funds.models import amount_field
from funds.movements.models import Movement, MovementEvent, event_actor_field, event_status_field

# WRITTEN_BY_THE_ENGINE: lines are written only by the engine's INSERT … SELECT, which takes the
# deal, client, plan version and rate from the joined rows themselves, and none of those rows is
# ever deleted (the mirror and published versions are append-only; users and rates are PROTECTed).
# A database foreign key on them would re-check each of millions of rows at commit (PostgreSQL's
# deferred FOR KEY SHARE lookups), which was half of the commission run's time; the IB and payout
# keys, which other writers set, keep theirs.


class CommissionLine(models.Model):
    class Kind(models.TextChoices):
        COMMISSION = "commission", _("Commission")
        REVERSAL = "reversal", _("Reversal")

    # No index of their own on `deal` and `ib`: the unique key and the two (ib, …) indexes lead with
    # them, and every index is paid for on each of the millions of lines the engine inserts.
    deal = models.ForeignKey(
        "trading.ClosedDeal",
        verbose_name=_("deal"),
        on_delete=models.PROTECT,
        related_name="commission_lines",
        db_index=False,
        db_constraint=False,  # see WRITTEN_BY_THE_ENGINE
    )
    deal_revision = models.PositiveIntegerField(_("deal revision"))
    ib = models.ForeignKey(
        "ib.IbProfile", verbose_name=_("IB"), on_delete=models.PROTECT, related_name="commission_lines", db_index=False
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # see WRITTEN_BY_THE_ENGINE
    )
    level = models.PositiveSmallIntegerField(_("level"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMISSION)
    plan_version = models.ForeignKey(
        "ib.RebatePlanVersion",
        verbose_name=_("plan version"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # see WRITTEN_BY_THE_ENGINE
    )
    rate = models.ForeignKey(
        "ib.RebateRate",
        verbose_name=_("rate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # see WRITTEN_BY_THE_ENGINE
    )
    lots = models.DecimalField(_("lots"), max_digits=12, decimal_places=2)
    amount = amount_field(verbose_name=_("amount"))
    currency = models.CharField(_("currency"), max_length=8)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    calculated_at = models.DateTimeField(_("calculated"))
    payout = models.ForeignKey(
        "ib.RebatePayout",
        verbose_name=_("payout"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )

    class Meta:
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "ib", "deal_revision", "kind"], name="commission_line_once_per_deal_and_ib"
            ),
            models.CheckConstraint(
                condition=Q(kind="commission", reverses__isnull=True) | Q(kind="reversal", reverses__isnull=False),
                name="commission_line_reversal_names_its_line",
            ),
        ]
        indexes = [
            models.Index(fields=["ib", "payout"], name="commission_line_ib_unpaid"),
            models.Index(fields=["ib", "calculated_at"], name="commission_line_ib_calculated"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} on deal {self.deal_id} to IB {self.ib_id}"


class CommissionRunState(models.Model):
    """The one row the commission run locks: deals up to `last_deal_id` (mirror ids) are computed."""

    last_deal_id = models.PositiveBigIntegerField(_("computed up to deal id"), default=0)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("commission run state")

    def __str__(self) -> str:
        return f"commissions up to deal {self.last_deal_id}"


class RebatePayout(Movement):
    """pending ──approve──▶ approved ──platform done──▶ paid;  pending ⇄ held;  a platform failure
    leaves it approved with the operation failed (retried from the outbox)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Approved, paying")
        PAID = "paid", _("Paid")

    OPEN = (Status.PENDING, Status.HELD)

    ib = models.ForeignKey("ib.IbProfile", verbose_name=_("IB"), on_delete=models.PROTECT, related_name="payouts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("IB user"), on_delete=models.PROTECT, related_name="rebate_payouts"
    )
    rebate_account = models.ForeignKey(
        "trading.TradingAccount", verbose_name=_("rebate account"), on_delete=models.PROTECT, related_name="+"
    )
    amount = amount_field(verbose_name=_("amount"))
    currency = models.CharField(_("currency"), max_length=8)
    line_count = models.PositiveIntegerField(_("lines"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operation = models.OneToOneField(
        "platforms.PlatformOperation",
        verbose_name=_("platform operation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    journal = models.OneToOneField(
        "ledger.Journal", verbose_name=_("journal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aggregated"), auto_now_add=True, db_index=True)
    granted_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("rebate payout")
        verbose_name_plural = _("rebate payouts")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="rebate_payout_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(journal__isnull=False, operation__isnull=False),
                name="rebate_payout_approved_has_journal_and_operation",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(granted_at__isnull=False), name="rebate_payout_paid_has_time"
            ),
        ]


class RebatePayoutEvent(MovementEvent):
    movement_field = "payout"

    payout = models.ForeignKey(RebatePayout, verbose_name=_("payout"), on_delete=models.PROTECT, related_name="events")
    from_status = event_status_field(RebatePayout.Status, verbose_name=_("from"), blank=True)
    to_status = event_status_field(RebatePayout.Status, verbose_name=_("to"))
    actor = event_actor_field(help_text=_("Empty: the system (payout run, platform)."))

    class Meta(MovementEvent.Meta):
        verbose_name = _("rebate payout event")
        verbose_name_plural = _("rebate payout events")
