"""Transfers between two trading accounts of one client.

    pending ──approve (staff)──▶ approved ──the platform credits the target──▶ completed
       │   (automatic below the company's amount)   │
       └─reject (reason)─▶ rejected                  └─a leg refused by the platform─▶ failed
       └─the first leg refused by the platform─▶ failed

Two legs, both through the outbox, never one without the other:

- out: when the client asks, the amount is held on the source (ledger client_trading → client_hold,
  platform `withdrawal` with key `transfer:<id>:out`), like a withdrawal's hold;
- in: once the transfer is approved *and* the platform has done the out leg, the held money moves to
  the target (ledger client_hold → client_trading of the target, converted when the currencies
  differ; platform `deposit` with key `transfer:<id>:in`).

If the platform refuses the out leg, nothing is deposited and the hold is released. If it refuses
the in leg, the in leg's journal is reversed and the source gets its money back (platform `deposit`
with key `transfer:<id>:release`). `amount` is in the source's currency; `target_amount` =
amount × `rate` in the target's, with the rate of the moment the client asked.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.configuration.models import SingletonModel
from funds.models import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, amount_field
from funds.movements.models import Movement, MovementEvent, event_actor_field, event_status_field


class TransferSettings(SingletonModel):
    """The company's approval rule for transfers."""

    auto_approve_below = models.DecimalField(
        _("approve automatically below (USD)"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("1000.00"),
        help_text=_(
            "Transfers worth less than this (in USD) are approved at once; the others wait for staff. "
            "0: every transfer waits for staff."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("transfer settings")
        constraints = [
            models.CheckConstraint(condition=Q(auto_approve_below__gte=0), name="transfer_settings_auto_not_negative")
        ]

    def __str__(self) -> str:
        return str(_("Transfer settings"))


class Transfer(Movement):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved, moving the money")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    OPEN = (Status.PENDING, Status.APPROVED)
    FINAL = (Status.COMPLETED, Status.REJECTED, Status.FAILED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.PROTECT, related_name="transfers"
    )
    source = models.ForeignKey(
        "trading.TradingAccount",
        verbose_name=pgettext_lazy("transfer account", "from"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    target = models.ForeignKey(
        "trading.TradingAccount",
        verbose_name=pgettext_lazy("transfer account", "to"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    source_currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("source currency"), on_delete=models.PROTECT, related_name="+"
    )
    amount = amount_field(verbose_name=_("amount"), help_text=_("Taken off the source, in its currency."))
    rate = models.DecimalField(
        _("rate"),
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMAL_PLACES,
        help_text=_("1 source currency = rate × target currency."),
    )
    target_currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("target currency"), on_delete=models.PROTECT, related_name="+"
    )
    target_amount = amount_field(verbose_name=_("target amount"), help_text=_("Credited to the target."))
    amount_usd = amount_field(verbose_name=_("value in USD"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    hold = models.OneToOneField(
        "withdrawals.Hold",
        verbose_name=_("hold (out leg)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer",
    )
    in_journal = models.OneToOneField(
        "ledger.Journal",
        verbose_name=_("in leg journal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    in_operation = models.OneToOneField(
        "platforms.PlatformOperation",
        verbose_name=_("in leg operation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_auto_approved = models.BooleanField(_("approved automatically"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when approved automatically or failed by the platform."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or failed."))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, help_text=_("Rejected or failed."))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="transfer_user_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="transfer_between_two_accounts"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(condition=Q(target_amount__gt=0), name="transfer_target_amount_positive"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="transfer_rate_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "failed"]) | ~Q(reason=""), name="transfer_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed")
                | Q(in_journal__isnull=False, in_operation__isnull=False, completed_at__isnull=False),
                name="transfer_completed_has_in_leg",
            ),
            models.CheckConstraint(
                condition=Q(in_operation__isnull=True) | Q(status__in=["approved", "completed", "failed"]),
                name="transfer_in_leg_only_once_approved",
            ),
        ]


class TransferEvent(MovementEvent):
    """One step of a transfer: who moved it from which status to which, when and why."""

    movement_field = "transfer"

    transfer = models.ForeignKey(Transfer, verbose_name=_("transfer"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=32)
    from_status = event_status_field(Transfer.Status, verbose_name=_("from"), blank=True)
    to_status = event_status_field(Transfer.Status, verbose_name=_("to"))
    actor = event_actor_field(help_text=_("Empty: the system (automatic approval, the platform)."))

    class Meta(MovementEvent.Meta):
        verbose_name = _("transfer event")
        verbose_name_plural = _("transfer events")
