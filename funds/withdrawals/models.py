"""Withdrawals, the holds that keep their money (and transfers') aside, and the rules around them.

A withdrawal takes money off a trading account when the client asks, and pays it out later:

    pending ──approve──▶ approved ──(second approval, above the threshold)──▶ ──mark paid──▶ paid
       │                    │
       ├─cancel (client)─▶ cancelled
       ├─reject (reason)──▶ rejected ◀─reject─┤
       └─the platform refused the hold, or staff mark it failed─▶ failed ◀─┘

Rejected, cancelled and failed withdrawals give their hold back. Amounts: `withdrawal_amount` is in
the trading account's currency (`account_currency`) and is what the hold takes; it is converted at
`exchange_rate` (1 account currency = rate payout currency) into the payout `currency`, the channel
charges `fee` on that, and the client receives `remittance_amount` = converted − fee.

A `Hold` is the money a withdrawal or a transfer took off a trading account, from the moment it is
requested until it is paid out, moved on, or given back:

    status:           held ──▶ settled (paid out / moved to another account)
                        └────▶ released (given back to the trading account)
    platform_status:  requested ──▶ applied (the platform took it)
                           └──────▶ not_applied (the platform refused it for good)

Taking money is one ledger journal (client_trading → client_hold) and one platform `withdrawal`
operation through the outbox, written in the transaction that creates the hold. Giving it back is
the reverse journal and a platform `deposit` operation, but only once the platform took it: a hold
released before that keeps `release_journal` empty until the platform answers (see
`funds.withdrawals.holds`).

`FundingUsage` says what a trading account type may be used for (deposits only, withdrawals only,
or both); a type without a row is `normal` (both). It is kept here rather than on
`clients.trading.TradingAccountType` so the trading app stays unaware of money flows.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.configuration.models import FundingMethod, SingletonModel
from funds.models import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, amount_field
from funds.movements.models import Movement, MovementEvent, event_actor_field, event_status_field


class Usage(models.TextChoices):
    """What money may do through a trading account of a type (the spec's `type` of list_balances)."""

    DEPOSIT_ONLY = "deposit_only", _("Deposits only")
    WITHDRAWAL_ONLY = "withdrawal_only", _("Withdrawals only")
    NORMAL = "normal", _("Deposits and withdrawals")


class FundingUsage(models.Model):
    """The usage of one trading account type; types without a row are `normal`."""

    account_type = models.OneToOneField(
        "trading.TradingAccountType",
        verbose_name=_("account type"),
        on_delete=models.CASCADE,
        related_name="funding_usage",
    )
    usage = models.CharField(_("usage"), max_length=16, choices=Usage.choices, default=Usage.NORMAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account type usage")
        verbose_name_plural = _("account type usages")
        ordering = ["account_type_id"]

    def __str__(self) -> str:
        return f"{self.account_type}: {self.get_usage_display()}"


class WithdrawalSettings(SingletonModel):
    """The company's maker-checker rule for withdrawals."""

    second_approval_threshold = models.DecimalField(
        _("second approval above (USD)"),
        max_digits=20,
        decimal_places=2,
        default=Decimal("10000.00"),
        help_text=_(
            "Withdrawals worth more than this (in USD, at the rate of the first approval) need a second "
            "approval by another staff member before they are paid."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("withdrawal settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(second_approval_threshold__gte=0), name="withdrawal_settings_threshold_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(_("Withdrawal settings"))


class Hold(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held")
        SETTLED = "settled", _("Settled (paid out or moved on)")
        RELEASED = "released", _("Released (given back)")

    class PlatformStatus(models.TextChoices):
        REQUESTED = "requested", _("Requested from the platform")
        APPLIED = "applied", _("Taken off the platform")
        NOT_APPLIED = "not_applied", _("Refused by the platform")

    class Purpose(models.TextChoices):
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        TRANSFER = "transfer", _("Transfer")

    trading_account = models.ForeignKey(
        "trading.TradingAccount", verbose_name=_("trading account"), on_delete=models.PROTECT, related_name="holds"
    )
    currency = models.CharField(_("currency"), max_length=10, help_text=_("The trading account's."))
    amount = amount_field(verbose_name=_("amount"))
    purpose = models.CharField(_("for"), max_length=10, choices=Purpose.choices)
    reference = models.CharField(_("reference"), max_length=100, help_text=_("What it is for: app.model:id."))
    hold_key = models.CharField(_("hold key"), max_length=90, unique=True)
    release_key = models.CharField(_("release key"), max_length=90, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.HELD)
    platform_status = models.CharField(
        _("on the platform"), max_length=12, choices=PlatformStatus.choices, default=PlatformStatus.REQUESTED
    )
    hold_journal = models.OneToOneField(
        "ledger.Journal", verbose_name=_("hold journal"), on_delete=models.PROTECT, related_name="+"
    )
    hold_operation = models.OneToOneField(
        "platforms.PlatformOperation", verbose_name=_("hold operation"), on_delete=models.PROTECT, related_name="+"
    )
    release_journal = models.OneToOneField(
        "ledger.Journal",
        verbose_name=_("release journal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    release_operation = models.OneToOneField(
        "platforms.PlatformOperation",
        verbose_name=_("release operation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Gives the money back on the platform; none when the platform never took it."),
    )
    created_at = models.DateTimeField(_("held"), auto_now_add=True)
    closed_at = models.DateTimeField(_("settled or released"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-id"]
        indexes = [models.Index(fields=["trading_account", "platform_status"], name="hold_account_platform")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="held") | Q(closed_at__isnull=False), name="hold_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(release_journal__isnull=True) | Q(status="released"),
                name="hold_release_journal_only_when_released",
            ),
            models.CheckConstraint(
                condition=Q(release_operation__isnull=True) | Q(status="released", platform_status="applied"),
                name="hold_release_operation_only_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hold_key} {self.amount} {self.currency} ({self.status})"

    @property
    def is_release_deferred(self) -> bool:
        """Released, but the ledger and the platform wait for the platform's answer to the hold."""
        return self.status == self.Status.RELEASED and self.release_journal_id is None


class Withdrawal(Movement):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved, waiting for payment")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    OPEN = (Status.PENDING, Status.APPROVED)
    FINAL = (Status.PAID, Status.REJECTED, Status.CANCELLED, Status.FAILED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    trading_account = models.ForeignKey(
        "trading.TradingAccount",
        verbose_name=_("trading account"),
        on_delete=models.PROTECT,
        related_name="withdrawals",
    )
    channel = models.ForeignKey(
        "funds.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    method = models.CharField(_("method"), max_length=32, choices=FundingMethod.choices)
    account_currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("account currency"), on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_amount = amount_field(verbose_name=_("withdrawal amount"), help_text=_("In the account currency."))
    currency = models.ForeignKey(
        "configuration.Currency", verbose_name=_("payout currency"), on_delete=models.PROTECT, related_name="+"
    )
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMAL_PLACES,
        help_text=_("1 account currency = rate × payout currency."),
    )
    fee = amount_field(verbose_name=_("fee"), default=0, help_text=_("In the payout currency."))
    remittance_amount = amount_field(
        verbose_name=_("remittance amount"), help_text=_("What the client receives, in the payout currency.")
    )
    payout_account = models.ForeignKey(
        "funds.PayoutAccount",
        verbose_name=_("payout account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
    )
    payout_details = models.JSONField(
        _("payout details"), default=dict, help_text=_("The bank account or wallet as the client gave it (checked).")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    hold = models.OneToOneField(
        Hold, verbose_name=_("hold"), on_delete=models.PROTECT, null=True, blank=True, related_name="withdrawal"
    )
    amount_usd = amount_field(
        verbose_name=_("value in USD"),
        null=True,
        blank=True,
        help_text=_("At the first approval; empty when no rate to USD was set (a second approval is then needed)."),
    )
    requires_second_approval = models.BooleanField(_("needs a second approval"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    second_approved_at = models.DateTimeField(_("second approval"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or failed."))
    payment_reference = models.CharField(
        _("payment reference"), max_length=100, blank=True, help_text=_("The bank's or the chain's reference.")
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payout_journal = models.OneToOneField(
        "ledger.Journal",
        verbose_name=_("payout journal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, help_text=_("Rejected, cancelled or failed."))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="withdrawal_user_created")]
        constraints = [
            models.CheckConstraint(condition=Q(withdrawal_amount__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="withdrawal_fee_not_negative"),
            models.CheckConstraint(condition=Q(remittance_amount__gt=0), name="withdrawal_remittance_positive"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="withdrawal_rate_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "failed"]) | ~Q(reason=""), name="withdrawal_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="withdrawal_approved_has_approver",
            ),
            # Maker-checker, held by the database too: the second approver is never the first.
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True) | ~Q(second_approver=F("decided_by")),
                name="withdrawal_second_approver_differs",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (
                    Q(paid_at__isnull=False, payout_journal__isnull=False)
                    & ~Q(payment_reference="")
                    & (Q(requires_second_approval=False) | Q(second_approver__isnull=False))
                ),
                name="withdrawal_paid_is_complete",
            ),
        ]

    @property
    def awaits_second_approval(self) -> bool:
        return self.status == self.Status.APPROVED and self.requires_second_approval and self.second_approver_id is None


class WithdrawalEvent(MovementEvent):
    """One step of a withdrawal: who moved it from which status to which, when and why."""

    movement_field = "withdrawal"

    withdrawal = models.ForeignKey(
        Withdrawal, verbose_name=_("withdrawal"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=32, help_text=_("e.g. requested, approved, second_approved."))
    from_status = event_status_field(Withdrawal.Status, verbose_name=_("from"), blank=True)
    to_status = event_status_field(Withdrawal.Status, verbose_name=_("to"))
    actor = event_actor_field(help_text=_("Empty: the system (the platform, the outbox)."))

    class Meta(MovementEvent.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")
