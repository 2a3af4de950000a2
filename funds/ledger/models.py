"""The double-entry ledger: every movement of money is one journal of entries that sum to zero.

Sign: an entry's `amount` is signed, positive debits the account, negative credits it. Each
currency of a journal sums to zero (a journal that converts money has a leg in each currency,
through the `fx_conversion` accounts). `ledger_balance` shows a balance on the account's normal
side, so every balance below reads as a positive amount in the ordinary course of business.

Chart of accounts (`LedgerAccount.Kind`; `code` is derived and unique):

- `client_trading` — one per trading account, code `client_trading:<trading account id>`, credit-normal:
  what the client has on the platform through the CRM (deposits, withdrawals, transfers, demo top-ups;
  the platform adds the trading result, see `funds.ledger.reconciliation`).
- `client_hold` — one per trading account, `client_hold:<trading account id>`, credit-normal: money
  taken off the platform for a withdrawal or transfer that is not settled yet.
- `broker_bank` — one per channel and currency, `broker_bank:<channel id>:<currency>`, debit-normal:
  the broker's money at the bank, wallet or provider behind a payment channel.
- `fee_income` — one per currency, `fee_income:<currency>`, credit-normal: fees the broker charged.
- `fx_conversion` — one per currency, `fx_conversion:<currency>`, debit-normal: the other side of every
  currency conversion (a journal that converts has a leg here in each currency).
- `platform_clearing` — one per server and currency, `platform_clearing:<server id>:<currency>`,
  debit-normal: balance changes made on the platform rather than by a CRM money flow (corrections after
  a reconciliation, platform-side adjustments).
- `demo_funding` — one per currency, `demo_funding:<currency>`, debit-normal: play money handed to
  demo accounts.
- `bonus_expense` — one per currency, `bonus_expense:<currency>`, debit-normal: bonuses, credit and
  rebates the broker pays.

A deposit of 700.00 CNY with a 7.00 CNY fee, credited as 99.00 USD at 7.0 (CNY per USD):

    broker_bank:3:CNY      Dr 700.00
    fee_income:CNY         Cr   7.00
    fx_conversion:CNY      Cr 693.00
    fx_conversion:USD      Dr  99.00
    client_trading:42      Cr  99.00

Invariants: entries of a journal sum to zero per currency (checked by `journal_post`, and on
PostgreSQL by a deferred constraint trigger at commit, whoever writes the rows); journals and
entries are append-only (PostgreSQL triggers refuse UPDATE and DELETE; a correction is a new
journal, see `journal_reverse`); one journal per idempotency key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

AMOUNT = {"max_digits": 20, "decimal_places": 8}


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        CLIENT_TRADING = "client_trading", _("Client trading account")
        CLIENT_HOLD = "client_hold", _("Client money on hold")
        BROKER_BANK = "broker_bank", _("Broker bank (per channel)")
        FEE_INCOME = "fee_income", _("Fee income")
        FX_CONVERSION = "fx_conversion", _("Currency conversion")
        PLATFORM_CLEARING = "platform_clearing", _("Platform clearing")
        DEMO_FUNDING = "demo_funding", _("Demo funding")
        BONUS_EXPENSE = "bonus_expense", _("Bonus and rebate expense")

    # Kinds whose balance is shown as minus the sum of their entries (liabilities and income).
    CREDIT_NORMAL = frozenset({Kind.CLIENT_TRADING, Kind.CLIENT_HOLD, Kind.FEE_INCOME})
    PER_TRADING_ACCOUNT = frozenset({Kind.CLIENT_TRADING, Kind.CLIENT_HOLD})

    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    currency = models.CharField(_("currency"), max_length=10)
    trading_account = models.ForeignKey(
        "trading.TradingAccount",
        verbose_name=_("trading account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    channel = models.ForeignKey(
        "funds.Channel",
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    server = models.ForeignKey(
        "platforms.TradingServer",
        verbose_name=_("trading server"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "trading_account"],
                condition=Q(trading_account__isnull=False),
                name="ledger_account_one_per_kind_and_trading_account",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["client_trading", "client_hold"], trading_account__isnull=False)
                | (~Q(kind__in=["client_trading", "client_hold"]) & Q(trading_account__isnull=True)),
                name="ledger_account_client_kinds_have_trading_account",
            ),
            models.CheckConstraint(
                condition=Q(kind="broker_bank", channel__isnull=False)
                | (~Q(kind="broker_bank") & Q(channel__isnull=True)),
                name="ledger_account_broker_bank_has_channel",
            ),
            models.CheckConstraint(
                condition=Q(kind="platform_clearing", server__isnull=False)
                | (~Q(kind="platform_clearing") & Q(server__isnull=True)),
                name="ledger_account_platform_clearing_has_server",
            ),
            models.CheckConstraint(condition=~Q(currency=""), name="ledger_account_has_currency"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"

    @property
    def is_credit_normal(self) -> bool:
        return self.kind in self.CREDIT_NORMAL


class Journal(models.Model):
    """One movement of money: its entries sum to zero per currency. Never changed once written."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        WITHDRAWAL_HOLD = "withdrawal_hold", _("Withdrawal requested (money held)")
        WITHDRAWAL_RELEASE = "withdrawal_release", _("Withdrawal rejected or cancelled (hold released)")
        WITHDRAWAL_PAYOUT = "withdrawal_payout", _("Withdrawal paid out")
        TRANSFER = "transfer", _("Internal transfer")
        FEE = "fee", _("Fee")
        REBATE = "rebate", _("Rebate")
        BONUS = "bonus", _("Bonus or credit")
        DEMO_FUNDING = "demo_funding", _("Demo top-up")
        ADJUSTMENT = "adjustment", _("Adjustment")
        CORRECTION = "correction", _("Correction (reverses a journal)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, db_index=True, help_text=_("What it is for: app.model:id.")
    )
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system posted it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["reverses"], name="ledger_journal_reversed_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.reference}".strip()


class Entry(models.Model):
    """One leg of a journal: a signed amount (positive = debit) on one account."""

    journal = models.ForeignKey(Journal, verbose_name=_("journal"), on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(
        LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.DecimalField(_("amount"), help_text=_("Positive: debit; negative: credit."), **AMOUNT)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount}"


class ReconciliationRun(models.Model):
    """One comparison of the ledger with the platforms' balances, and its outcome."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        CLEAN = "clean", _("Clean")
        DIFFERENCES = "differences", _("Differences found")
        FAILED = "failed", _("Failed")

    server = models.ForeignKey(
        "platforms.TradingServer",
        verbose_name=_("trading server"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every live server."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    accounts_checked = models.PositiveIntegerField(_("accounts checked"), default=0)
    differences_found = models.PositiveIntegerField(_("differences"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the schedule started it."),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class ReconciliationDifference(models.Model):
    """A trading account whose platform balance is not what the ledger expects.

    expected platform balance = ledger balance − in flight + trading result, where `in flight` is
    what the ledger already shows but the outbox has not yet done on the platform (deposits +,
    withdrawals −), and `trading result` the profit, commission and swap of the account's closed
    deals on the platform. `difference` = platform balance − expected.
    """

    run = models.ForeignKey(
        ReconciliationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="differences"
    )
    trading_account = models.ForeignKey(
        "trading.TradingAccount", verbose_name=_("trading account"), on_delete=models.PROTECT, related_name="+"
    )
    server = models.ForeignKey(
        "platforms.TradingServer", verbose_name=_("trading server"), on_delete=models.PROTECT, related_name="+"
    )
    login = models.PositiveBigIntegerField(_("login"))
    currency = models.CharField(_("currency"), max_length=10)
    ledger_balance = models.DecimalField(_("ledger balance"), **AMOUNT)
    in_flight = models.DecimalField(_("in flight"), **AMOUNT)
    trading_result = models.DecimalField(_("trading result"), null=True, blank=True, **AMOUNT)
    platform_balance = models.DecimalField(_("platform balance"), null=True, blank=True, **AMOUNT)
    difference = models.DecimalField(_("difference"), null=True, blank=True, **AMOUNT)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.login}: {self.difference if self.difference is not None else self.note}"
