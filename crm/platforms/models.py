"""Trading servers, and the outbox of operations the CRM asks them to do."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.platforms.gateway import adapter_choices
from crm.redaction import is_secret_key, redacted


class TradingServer(models.Model):
    """An MT4/MT5 server the broker runs, and how to reach it (its adapter and connection settings)."""

    class Platform(models.TextChoices):
        MT4 = "MT4", "MetaTrader 4"
        MT5 = "MT5", "MetaTrader 5"

    name = models.CharField(_("name"), max_length=100, unique=True)
    platform = models.CharField(_("platform"), max_length=3, choices=Platform.choices, default=Platform.MT5)
    is_demo = models.BooleanField(_("demo server"), default=False)
    adapter = models.CharField(_("adapter"), max_length=40, choices=adapter_choices, default="simulator")
    connection_settings = models.JSONField(
        _("connection settings"),
        default=dict,
        blank=True,
        help_text=_(
            'Adapter settings, e.g. {"host": "…", "port": 443, "manager_login": 1000, "manager_password": "…"}.'
        ),
    )
    login_range_start = models.PositiveBigIntegerField(_("first login"))
    login_range_end = models.PositiveBigIntegerField(_("last login"))
    currency = models.CharField(_("default currency"), max_length=8, default="USD")
    is_enabled = models.BooleanField(_("enabled"), default=True)
    time_zone_offset_hours = models.SmallIntegerField(
        _("server time (hours from UTC)"), default=0, help_text=_("MetaTrader servers often run at UTC+2/+3.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trading server")
        verbose_name_plural = _("trading servers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(login_range_start__gt=0) & Q(login_range_start__lt=F("login_range_end")),
                name="trading_server_login_range_valid",
                violation_error_message=_("The first login must be positive and below the last login."),
            ),
            models.CheckConstraint(
                condition=Q(time_zone_offset_hours__gte=-12, time_zone_offset_hours__lte=14),
                name="trading_server_time_zone_offset_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def redacted_connection_settings(self) -> dict[str, Any]:
        return redacted(self.connection_settings)


class PlatformOperation(models.Model):
    """One write the CRM asks a trading server to do: the outbox row and its fate.

    Written in the same transaction as the change that needs it; executed by a Celery task after
    commit. `locked_until` is a lease while running (a worker that dies leaves it to expire so
    another run picks the operation up) and the earliest next attempt while pending after a
    transient failure.
    """

    class Kind(models.TextChoices):
        CREATE_ACCOUNT = "create_account", _("Create account")
        SET_LEVERAGE = "set_leverage", _("Set leverage")
        SET_PASSWORD = "set_password", _("Set password")
        BALANCE = "balance", _("Balance operation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    server = models.ForeignKey(TradingServer, on_delete=models.PROTECT, related_name="operations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    payload = models.JSONField(_("payload"), default=dict, help_text=_("Amounts are strings of decimals."))
    # The payload's secrets (trading passwords), sealed (crm.platforms.sealing); "" once done or given up.
    sealed_secrets = models.TextField(_("sealed secrets"), blank=True, default="", editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    on_done = models.CharField(
        _("on done"),
        max_length=200,
        blank=True,
        help_text=_("Dotted path of a function (operation) -> None, called in the transaction that marks it done."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        "users.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform operation")
        verbose_name_plural = _("platform operations")
        ordering = ["-id"]
        indexes = [
            # The queue scans: due pending operations and expired leases.
            models.Index(fields=["status", "locked_until"], name="platform_operation_queue"),
            models.Index(fields=["server", "status"], name="platform_operation_server"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="running") | Q(locked_until__isnull=False),
                name="platform_operation_running_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="platform_operation_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.idempotency_key} ({self.status})"

    @property
    def needs_secrets(self) -> bool:
        """Whether running it needs secrets the payload only names (a password to set)."""
        return any(is_secret_key(key) for key in self.payload)
