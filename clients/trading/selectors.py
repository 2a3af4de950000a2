"""Reads of account types, trading accounts and their requests, scoped to who asks.

Accounts' money is the platform's. Pages and lists read the snapshot the background refreshes
(`account_snapshots_of`, with `state_refreshed_at`); a check that must be exact, such as the free
margin before a withdrawal, asks the platform now (`account_state_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.selectors import client_profile_of, registration_template_for
from clients.trading.errors import TradingError, TradingErrorCode, trading_account_not_found
from clients.trading.models import (
    AccountApplication,
    LeverageChange,
    TradingAccount,
    TradingAccountType,
    TradingSettings,
)
from crm.configuration.models import Leverage
from crm.configuration.selectors import singleton_get
from crm.platforms.errors import PlatformError
from crm.platforms.gateway import AccountState, gateway_for
from crm.platforms.models import TradingServer
from crm.users.models import User

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def trading_settings_get() -> TradingSettings:
    return singleton_get(TradingSettings)


# --- Account types --------------------------------------------------------------------


def _with_leverages(types: QuerySet[TradingAccountType]) -> QuerySet[TradingAccountType]:
    leverages = Leverage.objects.filter(is_enabled=True).order_by("value")
    return types.select_related("server").prefetch_related(
        Prefetch("leverages", queryset=leverages, to_attr="enabled_leverages")
    )


def account_types_offered_to(
    *, user: User, platform: str | None = None, is_demo: bool | None = None
) -> QuerySet[TradingAccountType]:
    """Enabled types on enabled servers offered to `user`'s registration flow (a type tied to no flow is
    offered to everyone), by position, with their servers and enabled leverages (`enabled_leverages`)."""
    profile = client_profile_of(user=user)
    template = registration_template_for(profile=profile)
    through = TradingAccountType.registration_templates.through
    tied = Exists(through.objects.filter(tradingaccounttype_id=OuterRef("pk")))
    offered = ~Q(tied)
    if template is not None:
        offered |= Q(
            Exists(through.objects.filter(tradingaccounttype_id=OuterRef("pk"), registrationtemplate_id=template.pk))
        )
    types = TradingAccountType.objects.filter(offered, is_enabled=True, server__is_enabled=True)
    if platform is not None:
        types = types.filter(server__platform=platform)
    if is_demo is not None:
        types = types.filter(server__is_demo=is_demo)
    return _with_leverages(types).order_by("position", "id")


def account_type_offered_get(*, user: User, account_type_id: int) -> TradingAccountType:
    """One type offered to `user`; anything else (unknown, disabled, not for their flow) is 400."""
    account_type = account_types_offered_to(user=user).filter(pk=account_type_id).first()
    if account_type is None:
        message = _("This account type is not available.")
        raise TradingError(
            code=TradingErrorCode.ACCOUNT_TYPE_UNAVAILABLE,
            message=message,
            fields={"trading_account_type_id": [message]},
        )
    return account_type


def leverage_options_of(account_type: TradingAccountType) -> list[int]:
    """The enabled leverages of the type, smallest first (uses `enabled_leverages` when prefetched)."""
    leverages = getattr(account_type, "enabled_leverages", None)
    if leverages is None:
        leverages = account_type.leverages.filter(is_enabled=True).order_by("value")
    return [leverage.value for leverage in leverages]


def platforms_offered_to(*, user: User) -> list[str]:
    """The platforms (MT4, MT5) of the types offered to `user`, in the platforms' order."""
    offered = set(account_types_offered_to(user=user).values_list("server__platform", flat=True))
    return [platform for platform in TradingServer.Platform.values if platform in offered]


# --- Accounts -------------------------------------------------------------------------


def trading_accounts_of(*, user: User, is_demo: bool | None = None) -> QuerySet[TradingAccount]:
    """`user`'s own accounts, newest first, with their types and servers."""
    accounts = TradingAccount.objects.filter(user=user).select_related("account_type", "server")
    if is_demo is not None:
        accounts = accounts.filter(is_demo=is_demo)
    return accounts.order_by("-id")


def trading_account_of(*, user: User, account_id: int) -> TradingAccount:
    """One of `user`'s accounts; anyone else's is 404 like an unknown one."""
    account = trading_accounts_of(user=user).filter(pk=account_id).first()
    if account is None:
        raise trading_account_not_found()
    return account


def platform_unavailable() -> TradingError:
    return TradingError(
        code=TradingErrorCode.PLATFORM_UNAVAILABLE,
        message=_("The trading platform cannot be reached right now; try again in a moment."),
        status=503,
    )


def account_state_of(account: TradingAccount) -> AccountState:
    """The account's balance, credit, equity and margins as the platform says now.

    For checks that must not act on old figures (a withdrawal's free margin); pages and the API
    read the snapshot. 503 `platform_unavailable` when the platform does not answer (or refuses).
    """
    try:
        return gateway_for(account.server).account_state(account.login)
    except PlatformError as error:
        logger.warning("account state of %s on %s: %s", account.login, account.server_id, error.code)
        raise platform_unavailable() from error


def account_snapshot_of(account: TradingAccount) -> AccountState | None:
    """The account's figures as last read from the platform (`state_refreshed_at`); None if never read."""
    if account.state_refreshed_at is None:
        return None
    equity, margin = _figure(account.state_equity), _figure(account.state_margin)
    return AccountState(
        login=account.login,
        currency=account.currency,
        leverage=account.leverage,
        balance=_figure(account.state_balance),
        credit=_figure(account.state_credit),
        equity=equity,
        margin=margin,
        free_margin=_figure(account.state_free_margin),
        margin_level=(equity / margin * 100).quantize(CENT) if margin else None,
    )


def _figure(value: Decimal | None) -> Decimal:
    # The refresh writes every figure together with `state_refreshed_at`, so a read snapshot has them all.
    assert value is not None, "a snapshot with state_refreshed_at set has every figure"
    return value


def account_snapshots_of(accounts: Iterable[TradingAccount]) -> dict[int, AccountState | None]:
    """`{account id: state}` from the accounts' snapshots, None where never read: no platform call."""
    return {account.pk: account_snapshot_of(account) for account in accounts}


def state_age_seconds(account: TradingAccount) -> int | None:
    """How old the account's snapshot is, in whole seconds; None if never read."""
    if account.state_refreshed_at is None:
        return None
    return max(0, int((timezone.now() - account.state_refreshed_at).total_seconds()))


def money(amount: Decimal) -> str:
    """An amount as the API shows it: a string with 2 decimals (every trading currency has 2)."""
    return str(amount.quantize(CENT))


def leverage_change_latest(*, account: TradingAccount) -> LeverageChange | None:
    return LeverageChange.objects.filter(account=account).order_by("-id").first()


# --- Back office ----------------------------------------------------------------------


def _pending_first(pending: str) -> Case:
    return Case(When(status=pending, then=Value(0)), default=Value(1), output_field=IntegerField())


def account_applications_queue() -> QuerySet[AccountApplication]:
    """Applications with everything the queue shows, waiting ones first, oldest first."""
    return AccountApplication.objects.select_related(
        "user", "account_type", "server", "decided_by", "operation"
    ).order_by(_pending_first(AccountApplication.Status.PENDING), "created_at", "id")


def leverage_changes_queue() -> QuerySet[LeverageChange]:
    return LeverageChange.objects.select_related(
        "account", "account__user", "account__server", "requested_by", "decided_by", "operation"
    ).order_by(_pending_first(LeverageChange.Status.PENDING), "created_at", "id")
