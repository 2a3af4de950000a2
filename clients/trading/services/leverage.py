"""Leverage changes: a client asks, staff decide, the platform applies.

pending ──approve──▶ approved ──(set_leverage done)──▶ applied
   └──reject──▶ rejected        └──(operation failed) fail──▶ failed

One change is in flight (pending or approved) per account at a time. Locks are taken account
first, then change, everywhere, so concurrent requests and the outbox cannot deadlock.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.trading.errors import TradingError, TradingErrorCode, invalid_input, trading_account_not_found
from clients.trading.models import LeverageChange, TradingAccount
from clients.trading.notifications import notify_on_commit
from clients.trading.selectors import leverage_options_of
from clients.trading.services.applications import leverage_not_allowed
from crm.audit.services import audit_record
from crm.errors import NotFound
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User

Status = LeverageChange.Status
ON_APPLIED = "clients.trading.services.leverage.leverage_change_on_applied"


def account_disabled() -> TradingError:
    return TradingError(
        code=TradingErrorCode.TRADING_ACCOUNT_DISABLED, message=_("This trading account is disabled."), status=409
    )


def lock_account_of(*, user: User, account_id: int) -> TradingAccount:
    """`user`'s account, locked; anyone else's is 404 like an unknown one."""
    account = (
        TradingAccount.objects.select_for_update(of=("self",))
        .select_related("account_type", "server")
        .filter(pk=account_id, user=user)
        .first()
    )
    if account is None:
        raise trading_account_not_found()
    return account


def leverage_change_pending() -> TradingError:
    return TradingError(
        code=TradingErrorCode.LEVERAGE_CHANGE_PENDING,
        message=_("A leverage change of this account is already in progress."),
        status=409,
    )


@transaction.atomic
def leverage_change_request(*, user: User, account_id: int, leverage: int, remark: str = "") -> LeverageChange:
    """A client asks to change their account's leverage; staff decide.

    404 `trading_account_not_found`; 409 `trading_account_disabled`, `leverage_change_pending`;
    400 `leverage_not_allowed` (not among the type's enabled leverages, or the current one).
    """
    account = lock_account_of(user=user, account_id=account_id)
    if not account.is_active:
        raise account_disabled()
    if LeverageChange.objects.filter(account=account, status__in=LeverageChange.IN_FLIGHT).exists():
        raise leverage_change_pending()
    options = leverage_options_of(account.account_type)
    if leverage not in options:
        raise leverage_not_allowed(options)
    if leverage == account.leverage:
        raise invalid_input(
            {"leverage": [_("The account already has this leverage.")]}, code=TradingErrorCode.LEVERAGE_NOT_ALLOWED
        )
    try:
        with transaction.atomic():
            change = LeverageChange.objects.create(
                account=account,
                requested_by=user,
                from_leverage=account.leverage,
                to_leverage=leverage,
                remark=(remark or "").strip()[:500],
            )
    except IntegrityError:  # the account lock makes this unreachable; the constraint is the backstop
        raise leverage_change_pending() from None
    audit_record(
        actor=user,
        action="leverage_change.requested",
        target=change,
        data={"account_id": account.pk, "from": change.from_leverage, "to": change.to_leverage},
    )
    return change


def _locked(change_id: int) -> LeverageChange:
    account_id = LeverageChange.objects.filter(pk=change_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise NotFound(code="leverage_change_not_found", message=_("No such leverage change."))
    account = TradingAccount.objects.select_for_update(of=("self",)).select_related("server").get(pk=account_id)
    change = LeverageChange.objects.select_for_update(of=("self",)).select_related("operation").get(pk=change_id)
    change.account = account
    return change


def _not_pending() -> TradingError:
    return TradingError(
        code=TradingErrorCode.LEVERAGE_CHANGE_NOT_PENDING,
        message=_("This leverage change is no longer waiting for a decision."),
        status=409,
    )


@transaction.atomic
def leverage_change_approve(*, change_id: int, approved_by: User) -> LeverageChange:
    """Staff approve a pending change: `set_leverage` goes through the outbox (409 if not pending)."""
    change = _locked(change_id)
    if change.status != Status.PENDING:
        raise _not_pending()
    account = change.account
    change.operation = platform_operation_enqueue(
        server=account.server,
        kind=PlatformOperation.Kind.SET_LEVERAGE,
        payload={"login": account.login, "leverage": change.to_leverage},
        idempotency_key=f"trading-account-{account.pk}-leverage-{change.pk}",
        on_done=ON_APPLIED,
    )
    change.status, change.decided_by, change.decided_at = Status.APPROVED, approved_by, timezone.now()
    change.save(update_fields=["operation", "status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=approved_by, action="leverage_change.approved", target=change, data={"operation_id": change.operation.pk}
    )
    return change


@transaction.atomic
def leverage_change_reject(*, change_id: int, rejected_by: User, reason: str) -> LeverageChange:
    """Staff reject a pending change; the client is told why (409 if not pending)."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Give a reason.")]})
    change = _locked(change_id)
    if change.status != Status.PENDING:
        raise _not_pending()
    change.status, change.reason = Status.REJECTED, reason
    change.decided_by, change.decided_at = rejected_by, timezone.now()
    change.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=rejected_by, action="leverage_change.rejected", target=change, reason=reason)
    notify_on_commit(
        user=change.account.user_id,
        event="leverage_rejected",
        login=change.account.login,
        to_leverage=change.to_leverage,
        reason=reason,
    )
    return change


@transaction.atomic
def leverage_change_fail(*, change_id: int, failed_by: User, reason: str = "") -> LeverageChange:
    """Staff close an approved change whose `set_leverage` operation failed for good (409 otherwise)."""
    change = _locked(change_id)
    operation = change.operation
    if change.status != Status.APPROVED or operation is None or operation.status != PlatformOperation.Status.FAILED:
        raise TradingError(
            code=TradingErrorCode.LEVERAGE_CHANGE_NOT_FAILABLE,
            message=_("Only an approved change whose platform operation failed can be marked failed."),
            status=409,
        )
    reason = (reason or "").strip() or operation.error_code or _("The trading platform refused.")
    change.status, change.reason = Status.FAILED, reason
    change.save(update_fields=["status", "reason", "updated_at"])
    audit_record(
        actor=failed_by,
        action="leverage_change.failed",
        target=change,
        reason=reason,
        data={"operation_id": operation.pk, "error_code": operation.error_code},
    )
    notify_on_commit(
        user=change.account.user_id,
        event="leverage_failed",
        login=change.account.login,
        to_leverage=change.to_leverage,
        reason=reason,
    )
    return change


def leverage_change_on_applied(operation: PlatformOperation) -> None:
    """on_done of `set_leverage`: the platform has the new leverage; so does the account. Safe to run again."""
    change = _locked(LeverageChange.objects.values_list("pk", flat=True).get(operation=operation))
    if change.status == Status.APPLIED:
        return
    account = change.account
    account.leverage = change.to_leverage
    account.save(update_fields=["leverage", "updated_at"])
    # From failed too: staff retried the operation and the platform did it after all.
    change.status, change.applied_at = Status.APPLIED, timezone.now()
    change.save(update_fields=["status", "applied_at", "updated_at"])
    audit_record(
        actor=None,
        action="trading_account.leverage_changed",
        target=account,
        data={"from": change.from_leverage, "to": change.to_leverage, "leverage_change_id": change.pk},
    )
    notify_on_commit(
        user=account.user_id,
        event="leverage_applied",
        login=account.login,
        from_leverage=change.from_leverage,
        to_leverage=change.to_leverage,
    )
