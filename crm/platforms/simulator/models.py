"""The simulator's own tables: a trading platform in miniature, persistent like a real one.

Its ledger: an account's balance is the sum of its balance operations (deposits and withdrawals)
plus the results of its closed deals (profit + commission + swap); its credit is credit in minus
credit out. `SimAccount.balance`/`credit` cache those sums and change in the same transaction.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.platforms.gateway import BalanceKind, PendingOrderType, Side, SymbolGroup
from crm.platforms.models import TradingServer

MONEY = {"max_digits": 18, "decimal_places": 2}
PRICE = {"max_digits": 20, "decimal_places": 6}
LOTS = {"max_digits": 8, "decimal_places": 2}
# Trading passwords are the platform's own, hashed its own way whatever the CRM's PASSWORD_HASHERS say:
# PBKDF2 at a platform-like cost, so opening many accounts at once stays cheap (Django's Argon2
# settings take 100 MB per hash).
PASSWORD_ITERATIONS = 100_000


def hash_password(password: str) -> str:
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt(), iterations=PASSWORD_ITERATIONS)


def password_matches(password: str, encoded: str) -> bool:
    try:
        return PBKDF2PasswordHasher().verify(password, encoded)
    except (ValueError, AssertionError):
        return False


class SimServerState(models.Model):
    """Per-server counters: the last login handed out and the last ticket (deal, position and order ids)."""

    server = models.OneToOneField(
        TradingServer, on_delete=models.CASCADE, related_name="simulator_state", verbose_name=_("server")
    )
    last_login = models.PositiveBigIntegerField(_("last login number"), default=0)
    last_ticket = models.PositiveBigIntegerField(_("last ticket"), default=1_000_000)

    class Meta:
        verbose_name = _("simulator server state")
        verbose_name_plural = _("simulator server states")

    def __str__(self) -> str:
        return f"state of {self.server_id}"


class SimSymbol(models.Model):
    """An instrument of the simulated market, with what its price walk and trading costs need."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    group = models.CharField(_("symbol group"), max_length=10, choices=SymbolGroup.choices)
    description = models.CharField(_("description"), max_length=100, blank=True)
    digits = models.PositiveSmallIntegerField(_("digits"))
    contract_size = models.DecimalField(_("contract size"), max_digits=18, decimal_places=4)
    profit_currency = models.CharField(_("profit currency"), max_length=3)
    base_price = models.DecimalField(_("base price"), **PRICE)
    daily_volatility_bp = models.PositiveIntegerField(
        _("daily volatility (basis points)"), help_text=_("0 keeps the price at its base price.")
    )
    spread_points = models.PositiveIntegerField(_("spread (points)"))
    commission_per_lot = models.DecimalField(
        _("commission per lot"), max_digits=10, decimal_places=2, default=0, help_text=_("USD per lot, round turn.")
    )
    swap_long = models.DecimalField(
        _("long swap"), max_digits=10, decimal_places=2, default=0, help_text=_("USD per lot per night.")
    )
    swap_short = models.DecimalField(
        _("short swap"), max_digits=10, decimal_places=2, default=0, help_text=_("USD per lot per night.")
    )
    max_leverage = models.PositiveIntegerField(_("maximum leverage"), default=500)
    trades_on_weekends = models.BooleanField(_("trades on weekends"), default=False)

    class Meta:
        verbose_name = _("simulated symbol")
        verbose_name_plural = _("simulated symbols")
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class SimAccount(models.Model):
    server = models.ForeignKey(
        TradingServer, on_delete=models.PROTECT, related_name="sim_accounts", verbose_name=_("server")
    )
    login = models.PositiveBigIntegerField(_("login"))
    group = models.CharField(_("group"), max_length=64)
    currency = models.CharField(_("currency"), max_length=8)
    leverage = models.PositiveIntegerField(_("leverage"))
    balance = models.DecimalField(_("balance"), **MONEY, default=0)
    credit = models.DecimalField(pgettext_lazy("trading account", "credit"), **MONEY, default=0)
    main_password = models.CharField(_("main password (hashed)"), max_length=128)  # hashed
    investor_password = models.CharField(_("investor password (hashed)"), max_length=128)  # hashed
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    # The idempotency key of the request that created it, so a repeated request gets the same account.
    creation_key = models.CharField(_("creation key"), max_length=100, null=True, blank=True)
    # The market has been simulated for this account up to this moment.
    simulated_until = models.DateTimeField(_("simulated until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated account")
        verbose_name_plural = _("simulated accounts")
        ordering = ["server", "login"]
        constraints = [
            models.UniqueConstraint(fields=["server", "login"], name="sim_account_login_unique"),
            models.UniqueConstraint(
                fields=["server", "creation_key"],
                condition=Q(creation_key__isnull=False),
                name="sim_account_creation_key_unique",
            ),
            models.CheckConstraint(condition=Q(credit__gte=0), name="sim_account_credit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.login} on {self.server_id}"

    def check_main_password(self, password: str) -> bool:
        return password_matches(password, self.main_password)

    def check_investor_password(self, password: str) -> bool:
        return password_matches(password, self.investor_password)


class SimBalanceOperation(models.Model):
    """Money in or out of an account; an idempotency key is applied at most once per server."""

    server = models.ForeignKey(TradingServer, on_delete=models.PROTECT, related_name="+", verbose_name=_("server"))
    account = models.ForeignKey(
        SimAccount, on_delete=models.PROTECT, related_name="balance_operations", verbose_name=_("account")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=BalanceKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    comment = models.CharField(_("comment"), max_length=255, blank=True)
    deal_id = models.PositiveBigIntegerField(_("deal"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    credit_after = models.DecimalField(_("credit after"), **MONEY)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated balance operation")
        verbose_name_plural = _("simulated balance operations")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["server", "idempotency_key"], name="sim_balance_key_unique"),
            models.UniqueConstraint(fields=["server", "deal_id"], name="sim_balance_deal_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sim_balance_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} #{self.deal_id}"


class SimTrade(models.Model):
    """What deals, positions and pending orders share."""

    server = models.ForeignKey(TradingServer, on_delete=models.PROTECT, related_name="+", verbose_name=_("server"))
    account = models.ForeignKey(SimAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    symbol = models.CharField(_("symbol"), max_length=20)
    volume_lots = models.DecimalField(_("volume (lots)"), **LOTS)

    class Meta:
        abstract = True


class SimDeal(SimTrade):
    """A closed trade: the position from its opening to its closing deal (`deal_id` is the closing one)."""

    deal_id = models.PositiveBigIntegerField(_("deal"))
    position_id = models.PositiveBigIntegerField(_("position"))
    side = models.CharField(_("side"), max_length=4, choices=Side.choices)
    open_time = models.DateTimeField(_("open time"))
    open_price = models.DecimalField(_("open price"), **PRICE)
    close_time = models.DateTimeField(_("close time"))
    close_price = models.DecimalField(_("close price"), **PRICE)
    profit = models.DecimalField(_("profit"), **MONEY)
    commission = models.DecimalField(_("commission"), **MONEY)
    swap = models.DecimalField(_("swap"), **MONEY)
    # What the spread cost the client, in the account's currency: already in the prices, not in the balance.
    spread_cost = models.DecimalField(_("spread cost"), **MONEY, default=0)
    comment = models.CharField(_("comment"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("simulated deal")
        verbose_name_plural = _("simulated deals")
        ordering = ["close_time", "deal_id"]
        constraints = [models.UniqueConstraint(fields=["server", "deal_id"], name="sim_deal_unique")]
        indexes = [
            models.Index(fields=["server", "close_time"], name="sim_deal_server_close"),
            models.Index(fields=["account", "close_time"], name="sim_deal_account_close"),
        ]

    def __str__(self) -> str:
        return f"deal #{self.deal_id}"


class SimPosition(SimTrade):
    position_id = models.PositiveBigIntegerField(_("position"))
    side = models.CharField(_("side"), max_length=4, choices=Side.choices)
    open_time = models.DateTimeField(_("open time"))
    open_price = models.DecimalField(_("open price"), **PRICE)
    # The simulated trader closes it then.
    close_at = models.DateTimeField(_("closes at"))

    class Meta:
        verbose_name = _("simulated position")
        verbose_name_plural = _("simulated positions")
        ordering = ["open_time", "position_id"]
        constraints = [models.UniqueConstraint(fields=["server", "position_id"], name="sim_position_unique")]

    def __str__(self) -> str:
        return f"position #{self.position_id}"


class SimPendingOrder(SimTrade):
    order_id = models.PositiveBigIntegerField(_("order"))
    order_type = models.CharField(_("order type"), max_length=10, choices=PendingOrderType.choices)
    price = models.DecimalField(_("price"), **PRICE)
    placed_at = models.DateTimeField(_("placed"))
    expires_at = models.DateTimeField(_("expires"))
    # How long the position it opens, if it fills, stays open.
    hold_minutes = models.PositiveIntegerField(_("holds for (minutes)"))

    class Meta:
        verbose_name = _("simulated pending order")
        verbose_name_plural = _("simulated pending orders")
        ordering = ["placed_at", "order_id"]
        constraints = [models.UniqueConstraint(fields=["server", "order_id"], name="sim_pending_order_unique")]

    def __str__(self) -> str:
        return f"order #{self.order_id}"


class SimFault(models.Model):
    """A fault the simulator injects into its next calls (tests, demos); see `crm.platforms.simulator.faults`."""

    class Fault(models.TextChoices):
        TIMEOUT_BEFORE = "timeout_before", _("Time out without doing it")
        TIMEOUT_AFTER = "timeout_after", _("Do it, then time out")
        UNAVAILABLE = "unavailable", _("Unavailable")
        LATENCY = "latency", _("Answer slowly")

    server = models.ForeignKey(TradingServer, on_delete=models.CASCADE, related_name="+", verbose_name=_("server"))
    operation = models.CharField(
        _("operation"), max_length=30, help_text=_("A gateway method name, or * for every call.")
    )
    fault = models.CharField(_("fault"), max_length=16, choices=Fault.choices)
    remaining = models.PositiveIntegerField(_("remaining"), default=1)
    seconds = models.DecimalField(_("seconds"), max_digits=8, decimal_places=3, default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated fault")
        verbose_name_plural = _("simulated faults")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.fault} on {self.operation} ({self.remaining} left)"
