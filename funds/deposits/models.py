"""Deposits: a client pays the broker through a channel and the money is credited to a trading account.

    draft ──submit (receipt)──▶ submitted ──approve──▶ approved ──platform done──▶ credited
      │  └─payment confirmed by the provider (online channels)──▲
      ├─cancel (client)─▶ cancelled          submitted ──reject (reason)──▶ rejected
      └─past its TTL─▶ expired               submitted ──cancel (client)──▶ cancelled

Approval posts the ledger journal and enqueues the platform balance operation in one transaction;
the outbox marks the deposit credited when the platform has applied it. Amounts: `deposit_amount`
and `fee` are in the deposit's (channel's) `currency`; `credited_amount` is in the trading
account's currency: (deposit_amount − fee) × rate, quantized, with the rate fixed when the draft
was made (1 deposit currency = `rate` account currency).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from funds.models import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, amount_field
from funds.movements.models import Movement, MovementEvent, event_actor_field, event_status_field


class Deposit(Movement):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not submitted)")
        SUBMITTED = "submitted", _("Submitted, waiting for review")
        APPROVED = "approved", _("Approved, crediting the trading account")
        CREDITED = "credited", _("Credited")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    OPEN = (Status.DRAFT, Status.SUBMITTED)
    FINAL = (Status.CREDITED, Status.REJECTED, Status.CANCELLED, Status.EXPIRED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.PROTECT, related_name="deposits"
    )
    trading_account = models.ForeignKey(
        "trading.TradingAccount", verbose_name=_("trading account"), on_delete=models.PROTECT, related_name="deposits"
    )
    channel = models.ForeignKey(
        "funds.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="deposits"
    )
    currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    deposit_amount = amount_field(verbose_name=_("deposit amount"))
    fee = amount_field(verbose_name=_("fee"), default=0)
    account_currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("account currency"), on_delete=models.PROTECT, related_name="+"
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMAL_PLACES,
        help_text=_("1 deposit currency = rate × account currency."),
    )
    credited_amount = amount_field(verbose_name=_("amount credited"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    pay_type = models.CharField(_("payment type"), max_length=32, blank=True)
    pay_url = models.URLField(_("payment URL"), max_length=500, blank=True)
    pay_data = models.TextField(_("payment data"), blank=True)
    payment_reference = models.CharField(
        _("provider payment reference"), max_length=100, blank=True, help_text=_("The provider's id of the payment.")
    )
    receipt = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("receipt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the payment provider's confirmation approved it."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
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
    expires_at = models.DateTimeField(_("draft expires"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    credited_at = models.DateTimeField(_("credited"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="deposit_user_created"),
            models.Index(fields=["status", "expires_at"], name="deposit_status_expiry"),
        ]
        constraints = [
            # One unsubmitted draft per trading account: a second create_draft is refused (409).
            models.UniqueConstraint(
                fields=["trading_account"], condition=Q(status="draft"), name="deposit_one_draft_per_account"
            ),
            models.UniqueConstraint(
                fields=["channel", "payment_reference"],
                condition=~Q(payment_reference=""),
                name="deposit_payment_reference_once_per_channel",
            ),
            models.CheckConstraint(condition=Q(deposit_amount__gt=0), name="deposit_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(fee__lt=F("deposit_amount")), name="deposit_fee_below_amount"
            ),
            models.CheckConstraint(condition=Q(credited_amount__gt=0), name="deposit_credited_amount_positive"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="deposit_rate_positive"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="deposit_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "credited"])
                | Q(journal__isnull=False, operation__isnull=False, decided_at__isnull=False),
                name="deposit_approved_has_journal_and_operation",
            ),
            models.CheckConstraint(
                condition=~Q(status="credited") | Q(credited_at__isnull=False), name="deposit_credited_has_time"
            ),
        ]


class DepositEvent(MovementEvent):
    """One transition of a deposit: who moved it from which status to which, when and why."""

    movement_field = "deposit"

    deposit = models.ForeignKey(Deposit, verbose_name=_("deposit"), on_delete=models.PROTECT, related_name="events")
    from_status = event_status_field(Deposit.Status, verbose_name=_("from"), blank=True)
    to_status = event_status_field(Deposit.Status, verbose_name=_("to"))
    actor = event_actor_field(help_text=_("Empty: the system (payment provider, platform, expiry)."))

    class Meta(MovementEvent.Meta):
        verbose_name = _("deposit event")
        verbose_name_plural = _("deposit events")
