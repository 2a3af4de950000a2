"""Trading account types, clients' trading accounts, and the requests that open and change them.

Trading passwords are never stored in clear: a live application waiting for staff approval keeps
its passwords sealed (`crm.platforms.sealing`) until the decision, then moves them, still sealed,
into the `PlatformOperation` that sets them on the platform (approved) or erases them (rejected);
the outbox erases them once the platform has them or the operation is given up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm.api.languages import request_language
from crm.configuration.models import SingletonModel, validate_i18n_texts
from crm.platforms.models import PlatformOperation, TradingServer
from crm.users.models import Language

MONEY = {"max_digits": 18, "decimal_places": 2}


class TradingCurrency(models.TextChoices):
    """Currencies a trading account may have (the spec's `currency` enum: USD only for now)."""

    USD = "USD", "USD"


def default_currencies() -> list[str]:
    return [TradingCurrency.USD]


def validate_currencies(value) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
        raise ValidationError(_('Give the currencies as a list of codes, e.g. ["USD"].'))
    unknown = sorted(set(value) - set(TradingCurrency.values))
    if unknown:
        raise ValidationError(
            _("Unsupported currencies: %(codes)s (supported: %(supported)s)."),
            params={"codes": ", ".join(unknown), "supported": ", ".join(TradingCurrency.values)},
        )


class TradingSettings(SingletonModel):
    """The company's rules for trading accounts."""

    live_applications_auto_approve = models.BooleanField(
        _("open live accounts without staff approval"),
        default=True,
        help_text=_(
            "On: a live application from a client whose KYC is approved is approved at once and the account "
            "opened. Off (or when the client rules allow live accounts before KYC approval and the client's KYC "
            "is not approved yet): every live application waits in the queue for staff. Demo accounts always "
            "open at once."
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("trading settings")

    def __str__(self) -> str:
        return str(_("Trading settings"))


class TradingAccountType(models.Model):
    """What a client may open: a group on one server, with its currencies and leverages.

    Its platform (MT4/MT5) and whether it is demo are its server's, read through `server`, so the
    two can never disagree.
    """

    name_i18n = models.JSONField(
        _("name"),
        default=dict,
        validators=[validate_i18n_texts],
        help_text=_('{"zh-CN": "标准账户", "en-US": "Standard"}'),
    )
    server = models.ForeignKey(
        TradingServer, verbose_name=_("trading server"), on_delete=models.PROTECT, related_name="account_types"
    )
    group = models.CharField(
        _("group"), max_length=64, help_text=_("The group on the platform accounts are opened in, e.g. real\\standard.")
    )
    currencies = models.JSONField(
        _("currencies"), default=default_currencies, validators=[validate_currencies], help_text=_('e.g. ["USD"]')
    )
    leverages = models.ManyToManyField(
        "configuration.Leverage",
        verbose_name=_("allowed leverages"),
        related_name="+",
        help_text=_("Clients choose among the enabled ones, when opening an account and when changing leverage."),
    )
    min_deposit = models.DecimalField(_("minimum first deposit"), default=0, **MONEY)
    description_i18n = models.JSONField(_("description"), default=dict, blank=True, validators=[validate_i18n_texts])
    registration_templates = models.ManyToManyField(
        "clients.RegistrationTemplate",
        verbose_name=_("registration flows"),
        blank=True,
        related_name="+",
        help_text=_("Offered to clients who registered through these flows. Empty: offered to every client."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trading account type")
        verbose_name_plural = _("trading account types")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_deposit__gte=0), name="account_type_min_deposit_not_negative"),
            models.CheckConstraint(condition=~Q(group=""), name="account_type_has_group"),
        ]

    def __str__(self) -> str:
        return self.name(request_language()) or f"#{self.pk}"

    def name(self, language: str) -> str:
        texts = self.name_i18n or {}
        return texts.get(language) or texts.get(Language.ZH_CN) or texts.get(Language.EN_US) or ""

    @property
    def platform(self) -> str:
        return self.server.platform

    @property
    def is_demo(self) -> bool:
        return self.server.is_demo


class AccountApplication(models.Model):
    """A client's request for a trading account, and what became of it.

    pending → approved → opened (the platform created it; `account` is set), or
    pending → rejected (staff, with a reason), or approved → failed (the platform refused for good).
    Demo applications, and live ones when the settings allow, are approved as they are made.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved, opening on the platform")
        OPENED = "opened", _("Opened")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed on the platform")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="trading_account_applications",
    )
    account_type = models.ForeignKey(
        TradingAccountType, verbose_name=_("account type"), on_delete=models.PROTECT, related_name="applications"
    )
    # The type's server when the client applied: the account is opened there even if the type moves.
    server = models.ForeignKey(
        TradingServer, verbose_name=_("trading server"), on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("demo"))
    currency = models.CharField(_("currency"), max_length=8, choices=TradingCurrency.choices)
    leverage = models.PositiveIntegerField(_("leverage"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or failed."))
    # Only while pending: the passwords the client chose, encrypted (see the module docstring).
    sealed_passwords = models.TextField(blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system approved it."),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    operation = models.OneToOneField(
        PlatformOperation,
        verbose_name=_("platform operation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account application")
        verbose_name_plural = _("account applications")
        ordering = ["-id"]
        constraints = [
            # One application at a time waits for staff: a second one is refused (409).
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="account_application_one_pending_per_user"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="account_application_decided_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "failed"]) | ~Q(reason=""),
                name="account_application_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(sealed_passwords=""),
                name="account_application_passwords_only_while_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "opened"]) | Q(operation__isnull=False),
                name="account_application_approved_has_operation",
            ),
            models.CheckConstraint(
                condition=~Q(status="opened") | Q(opened_at__isnull=False), name="account_application_opened_has_time"
            ),
            models.CheckConstraint(condition=Q(leverage__gte=1), name="account_application_leverage_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user} {self.account_type} ({self.status})"


class TradingAccount(models.Model):
    """A client's account on a trading server. Its money lives on the platform (`account_state`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="trading_accounts"
    )
    account_type = models.ForeignKey(
        TradingAccountType, verbose_name=_("account type"), on_delete=models.PROTECT, related_name="accounts"
    )
    server = models.ForeignKey(
        TradingServer, verbose_name=_("trading server"), on_delete=models.PROTECT, related_name="+"
    )
    login = models.PositiveBigIntegerField(_("login"))
    currency = models.CharField(_("currency"), max_length=8, choices=TradingCurrency.choices)
    leverage = models.PositiveIntegerField(_("leverage"))
    is_demo = models.BooleanField(_("demo"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    application = models.OneToOneField(
        AccountApplication,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )
    # The platform's figures as of `state_refreshed_at` (null until first read). Reads show this
    # snapshot with its age instead of asking the platform on each request; the beat task
    # `refresh_account_states` and every completed platform operation refresh it.
    state_balance = models.DecimalField(_("balance"), null=True, blank=True, **MONEY)
    state_credit = models.DecimalField(_("credit"), null=True, blank=True, **MONEY)
    state_equity = models.DecimalField(_("equity"), null=True, blank=True, **MONEY)
    state_margin = models.DecimalField(_("margin"), null=True, blank=True, **MONEY)
    state_free_margin = models.DecimalField(_("free margin"), null=True, blank=True, **MONEY)
    state_refreshed_at = models.DateTimeField(_("figures read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trading account")
        verbose_name_plural = _("trading accounts")
        ordering = ["-id"]
        indexes = [
            # The refresh takes the stalest snapshots of a server first.
            models.Index(fields=["server", "state_refreshed_at"], name="trading_account_state_age"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["server", "login"], name="trading_account_login_unique_per_server"),
            models.CheckConstraint(condition=Q(leverage__gte=1), name="trading_account_leverage_positive"),
        ]

    def __str__(self) -> str:
        return str(self.login)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LeverageChange(models.Model):
    """A client's request to change an account's leverage: pending → approved → applied, or rejected/failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved, applying on the platform")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed on the platform")

    IN_FLIGHT = (Status.PENDING, Status.APPROVED)

    account = models.ForeignKey(
        TradingAccount, verbose_name=_("trading account"), on_delete=models.PROTECT, related_name="leverage_changes"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    from_leverage = models.PositiveIntegerField(pgettext_lazy("leverage", "from"))
    to_leverage = models.PositiveIntegerField(pgettext_lazy("leverage", "to"))
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or failed."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    operation = models.OneToOneField(
        PlatformOperation,
        verbose_name=_("platform operation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("leverage change")
        verbose_name_plural = _("leverage changes")
        ordering = ["-id"]
        constraints = [
            # One change in flight per account: a second request is refused (409 leverage_change_pending).
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["pending", "approved"]),
                name="leverage_change_one_in_flight_per_account",
            ),
            models.CheckConstraint(condition=~Q(to_leverage=F("from_leverage")), name="leverage_change_changes"),
            models.CheckConstraint(
                condition=Q(to_leverage__gte=1) & Q(from_leverage__gte=1), name="leverage_change_leverages_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="leverage_change_decided_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "failed"]) | ~Q(reason=""),
                name="leverage_change_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "applied"]) | Q(operation__isnull=False),
                name="leverage_change_approved_has_operation",
            ),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(applied_at__isnull=False), name="leverage_change_applied_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.account.login}: 1:{self.from_leverage} → 1:{self.to_leverage} ({self.status})"


from clients.trading.mirror.models import ClosedDeal, DealSyncState  # noqa: E402, F401  (the mirror's models)
