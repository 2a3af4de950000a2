"""Changes to opened accounts: trading passwords (straight to the platform through the outbox) and status."""

from __future__ import annotations

import uuid

from django.db import models, transaction
from django.utils.translation import gettext as _

from clients.trading.errors import TradingErrorCode, invalid_input
from clients.trading.models import TradingAccount, TradingAccountType
from clients.trading.notifications import PASSWORD_KINDS, notify_on_commit
from clients.trading.passwords import trading_password_problems
from clients.trading.services.leverage import account_disabled, lock_account_of
from crm.audit.services import audit_record
from crm.errors import Conflict, NotFound
from crm.platforms.gateway import PasswordKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User

ON_PASSWORD_CHANGED = "clients.trading.services.accounts.trading_password_on_changed"


class PasswordType(models.TextChoices):
    """The spec's names of the two passwords (`type` of update_password)."""

    OBSERVE = "observe", _("Investor (read-only) password")
    TRADE = "trade", _("Trading password")


PLATFORM_PASSWORD_KIND = {PasswordType.OBSERVE: PasswordKind.INVESTOR, PasswordType.TRADE: PasswordKind.MAIN}


@transaction.atomic
def trading_password_change(*, user: User, account_id: int, type: str, password: str) -> PlatformOperation:
    """Set one of the account's passwords on the platform, through the outbox; the CRM keeps no copy.

    404 `trading_account_not_found`; 409 `trading_account_disabled`; 400 `invalid_trading_password`
    (fields.password) when it breaks the platform's rules. The client is told once the platform has it.
    """
    kind = PLATFORM_PASSWORD_KIND[PasswordType(type)]
    account = lock_account_of(user=user, account_id=account_id)
    if not account.is_active:
        raise account_disabled()
    problems = trading_password_problems(password, platform=account.server.platform)
    if problems:
        raise invalid_input({"password": problems}, code=TradingErrorCode.INVALID_TRADING_PASSWORD)
    operation = platform_operation_enqueue(
        server=account.server,
        kind=PlatformOperation.Kind.SET_PASSWORD,
        payload={"login": account.login, "kind": kind, "password": password},
        # A fresh key per request: the same password set twice is two requests, both harmless.
        idempotency_key=f"trading-account-{account.pk}-password-{uuid.uuid4().hex}",
        on_done=ON_PASSWORD_CHANGED,
    )
    audit_record(
        actor=user,
        action="trading_account.password_change_requested",
        target=account,
        data={"kind": str(kind), "operation_id": operation.pk},
    )
    return operation


def trading_password_on_changed(operation: PlatformOperation) -> None:
    """on_done of `set_password`: record it and tell the owner (someone else changing it must not go unseen)."""
    account = TradingAccount.objects.filter(server_id=operation.server_id, login=operation.payload["login"]).first()
    if account is None:  # an account the CRM does not know (set from the outbox by hand)
        return
    kind = operation.payload["kind"]
    audit_record(
        actor=None,
        action="trading_account.password_changed",
        target=account,
        data={"kind": kind, "operation_id": operation.pk},
    )
    notify_on_commit(user=account.user_id, event="password_changed", login=account.login, kind=PASSWORD_KINDS[kind])


@transaction.atomic
def trading_account_status_set(*, account_id: int, status: str, by: User, reason: str = "") -> TradingAccount:
    """Staff disable or re-enable an account in the CRM (its leverage and passwords can then not be changed).

    Trading on the platform is not affected: that is the platform's own setting.
    """
    status = TradingAccount.Status(status)
    account = TradingAccount.objects.select_for_update().filter(pk=account_id).first()
    if account is None:
        raise NotFound(code=TradingErrorCode.TRADING_ACCOUNT_NOT_FOUND, message=_("No such trading account."))
    if account.status == status:
        return account
    previous, account.status = account.status, status
    account.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="trading_account.status_changed",
        target=account,
        reason=(reason or "").strip(),
        data={"from": previous, "to": status},
    )
    return account


@transaction.atomic
def trading_account_register(
    *, user: User, account_type_id: int, login: int, leverage: int, currency: str = "USD", by: User | None = None
) -> TradingAccount:
    """Record an account that already exists on the type's server (imports, demo data), with no application.

    Idempotent: the same login on the same server returns the account already recorded for `user`.
    """
    account_type = TradingAccountType.objects.select_related("server").get(pk=account_type_id)
    account, created = TradingAccount.objects.get_or_create(
        server=account_type.server,
        login=login,
        defaults={
            "user": user,
            "account_type": account_type,
            "currency": currency,
            "leverage": leverage,
            "is_demo": account_type.is_demo,
        },
    )
    if account.user_id != user.pk:
        raise Conflict(
            code="trading_account_login_taken",
            message=_("Login %(login)s on %(server)s belongs to another client.")
            % {"login": login, "server": account_type.server.name},
        )
    if created:
        audit_record(
            actor=by,
            action="trading_account.registered",
            target=account,
            data={"login": login, "server": account_type.server.name, "account_type_id": account_type.pk},
        )
    return account
