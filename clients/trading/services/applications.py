"""Opening trading accounts: a client applies; the system or staff approve; the platform opens it.

pending ──approve──▶ approved ──(create_account done)──▶ opened
   └──reject──▶ rejected        └──(operation failed) fail──▶ failed

Approval writes a `create_account` operation to the outbox (key `account-application-<id>`) in the
same transaction; when the platform has opened the account, the outbox calls
`account_application_on_opened`, which creates the `TradingAccount`. A platform timeout leaves the
operation pending and the application approved: the outbox retries with the same key, and the
platform returns the account it already opened, so one application opens one account at most.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import KycStatus
from clients.selectors import client_profile_of, demo_account_allowed, live_account_allowed
from clients.trading.errors import TradingError, TradingErrorCode, invalid_input
from clients.trading.models import AccountApplication, TradingAccount, TradingAccountType
from clients.trading.notifications import notify_on_commit
from clients.trading.passwords import trading_password_generate, trading_password_problems
from clients.trading.selectors import account_type_offered_get, leverage_options_of, trading_settings_get
from crm.audit.services import audit_record
from crm.errors import Forbidden, NotFound
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import SealBroken, secrets_seal, secrets_unseal
from crm.platforms.services import platform_operation_enqueue, platform_operation_secrets_erase
from crm.users.models import User

Status = AccountApplication.Status
ON_OPENED = "clients.trading.services.applications.account_application_on_opened"


def application_operation_key(application: AccountApplication) -> str:
    return f"account-application-{application.pk}"


def _check_request(
    *,
    account_type: TradingAccountType,
    trading_platform: str,
    is_demo: bool,
    currency: str,
    leverage: int,
    password: str,
    observe_password: str,
) -> None:
    """400s for a request that does not fit the type: mismatches, then leverage, then passwords."""
    mismatches: dict[str, list[str]] = {}
    if account_type.platform != trading_platform:
        mismatches["trading_platform"] = [
            _("This account type is on %(platform)s.") % {"platform": account_type.platform}
        ]
    if account_type.is_demo != is_demo:
        message = _("This is a demo account type.") if account_type.is_demo else _("This is a live account type.")
        mismatches["is_demo"] = [message]
    if currency not in account_type.currencies:
        mismatches["currency"] = [
            _("This account type offers %(currencies)s.") % {"currencies": ", ".join(account_type.currencies)}
        ]
    if mismatches:
        raise invalid_input(mismatches)
    options = leverage_options_of(account_type)
    if leverage not in options:
        raise leverage_not_allowed(options)
    problems = {
        field: messages
        for field, value in (("password", password), ("observe_password", observe_password))
        if value and (messages := trading_password_problems(value, platform=account_type.platform))
    }
    if problems:
        raise invalid_input(problems, code=TradingErrorCode.INVALID_TRADING_PASSWORD)


def leverage_not_allowed(options: list[int]) -> TradingError:
    message = _("Choose one of the leverages offered: %(options)s.") % {
        "options": ", ".join(f"1:{value}" for value in options) or "-"
    }
    return invalid_input({"leverage": [message]}, code=TradingErrorCode.LEVERAGE_NOT_ALLOWED)


def _check_allowed(user: User, *, is_demo: bool) -> None:
    if is_demo and not demo_account_allowed(user=user):
        raise Forbidden(code=TradingErrorCode.DEMO_NOT_ALLOWED, message=_("Demo accounts cannot be opened now."))
    if not is_demo and not live_account_allowed(user=user):
        raise Forbidden(
            code=TradingErrorCode.KYC_REQUIRED,
            message=_("Complete your KYC (account verification) before opening a live account."),
        )


def _approves_at_once(user: User, *, is_demo: bool) -> bool:
    """Demo accounts open at once; live ones too when the settings say so and the client's KYC is approved."""
    if is_demo:
        return True
    if not trading_settings_get().live_applications_auto_approve:
        return False
    return client_profile_of(user=user).kyc_status == KycStatus.APPROVED


def application_pending_refusal() -> TradingError:
    return TradingError(
        code=TradingErrorCode.ACCOUNT_APPLICATION_PENDING,
        message=_("You already have an account application waiting for review."),
        status=409,
    )


@transaction.atomic
def account_application_create(
    *,
    user: User,
    account_type_id: int,
    trading_platform: str,
    is_demo: bool,
    currency: str,
    leverage: int,
    password: str,
    observe_password: str = "",
) -> AccountApplication:
    """A client applies for an account of an offered type.

    Refused: 403 `kyc_required` (live) / `demo_not_allowed` (demo); 400 `account_type_unavailable`,
    `invalid_input` (platform, demo flag or currency not the type's), `leverage_not_allowed`,
    `invalid_trading_password`; 409 `account_application_pending` (one waits for staff already).
    Demo applications, and live ones when `TradingSettings.live_applications_auto_approve` is on and
    the client's KYC is approved, are approved at once (the account opens when the platform has done
    it); the others wait for staff, their passwords sealed. Without an `observe_password`, a random
    one is set (the client can change it with `trading_password_change`).
    """
    _check_allowed(user, is_demo=is_demo)
    account_type = account_type_offered_get(user=user, account_type_id=account_type_id)
    _check_request(
        account_type=account_type,
        trading_platform=trading_platform,
        is_demo=is_demo,
        currency=currency,
        leverage=leverage,
        password=password,
        observe_password=observe_password,
    )
    passwords = {"main_password": password, "investor_password": observe_password or trading_password_generate()}
    at_once = _approves_at_once(user, is_demo=is_demo)
    try:
        with transaction.atomic():
            application = AccountApplication.objects.create(
                user=user,
                account_type=account_type,
                server=account_type.server,
                is_demo=is_demo,
                currency=currency,
                leverage=leverage,
                sealed_passwords="" if at_once else secrets_seal(passwords),
            )
    except IntegrityError:
        raise application_pending_refusal() from None
    audit_record(
        actor=user,
        action="account_application.created",
        target=application,
        data={"account_type_id": account_type.pk, "is_demo": is_demo, "currency": currency, "leverage": leverage},
    )
    if at_once:
        _approve(application, by=None, passwords=passwords)
    else:
        notify_on_commit(
            user=user, event="application_received", type=account_type.name_i18n, application_id=application.pk
        )
    return application


def _approve(application: AccountApplication, *, by: User | None, passwords: dict[str, str]) -> None:
    user = application.user
    payload: dict[str, Any] = {
        "group": application.account_type.group,
        "currency": application.currency,
        "leverage": application.leverage,
        "name": user.name or user.email,
        "email": user.email,
        "is_demo": application.is_demo,
        **passwords,
    }
    application.operation = platform_operation_enqueue(
        server=application.server,
        kind=PlatformOperation.Kind.CREATE_ACCOUNT,
        payload=payload,
        idempotency_key=application_operation_key(application),
        on_done=ON_OPENED,
    )
    application.status = Status.APPROVED
    application.decided_by, application.decided_at = by, timezone.now()
    application.sealed_passwords = ""
    application.save(
        update_fields=["operation", "status", "decided_by", "decided_at", "sealed_passwords", "updated_at"]
    )
    audit_record(
        actor=by,
        action="account_application.approved",
        target=application,
        data={"operation_id": application.operation.pk, "automatic": by is None},
    )


def _locked(application_id: int) -> AccountApplication:
    application = (
        AccountApplication.objects.select_for_update(of=("self",))
        .select_related("user", "account_type", "server", "operation")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound(code="account_application_not_found", message=_("No such account application."))
    return application


def _not_pending() -> TradingError:
    return TradingError(
        code=TradingErrorCode.ACCOUNT_APPLICATION_NOT_PENDING,
        message=_("This application is no longer waiting for a decision."),
        status=409,
    )


@transaction.atomic
def account_application_approve(*, application_id: int, approved_by: User) -> AccountApplication:
    """Staff approve a pending application: the account is opened through the outbox.

    409 `account_application_not_pending`; 409 `account_application_passwords_lost` when the sealed
    passwords can no longer be opened (SECRET_KEY rotated without keeping the old one in
    SECRET_KEY_FALLBACKS): reject it and ask the client to apply again.
    """
    application = _locked(application_id)
    if application.status != Status.PENDING:
        raise _not_pending()
    try:
        passwords = secrets_unseal(application.sealed_passwords)
    except SealBroken:
        raise TradingError(
            code=TradingErrorCode.ACCOUNT_APPLICATION_PASSWORDS_LOST,
            message=_("The passwords of this application can no longer be read; reject it and ask for a new one."),
            status=409,
        ) from None
    _approve(application, by=approved_by, passwords=passwords)
    return application


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise invalid_input({"reason": [_("Give a reason.")]})
    return reason


@transaction.atomic
def account_application_reject(*, application_id: int, rejected_by: User, reason: str) -> AccountApplication:
    """Staff reject a pending application (the reason is shown to the client); its passwords are erased."""
    reason = _reason_required(reason)
    application = _locked(application_id)
    if application.status != Status.PENDING:
        raise _not_pending()
    application.status, application.reason, application.sealed_passwords = Status.REJECTED, reason, ""
    application.decided_by, application.decided_at = rejected_by, timezone.now()
    application.save(update_fields=["status", "reason", "sealed_passwords", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=rejected_by, action="account_application.rejected", target=application, reason=reason)
    notify_on_commit(
        user=application.user,
        event="application_rejected",
        type=application.account_type.name_i18n,
        application_id=application.pk,
        reason=reason,
    )
    return application


@transaction.atomic
def account_application_fail(*, application_id: int, failed_by: User, reason: str = "") -> AccountApplication:
    """Staff close an approved application whose platform operation failed for good (409 otherwise).

    The reason defaults to the platform's error. The operation's sealed passwords are erased, so
    it can no longer be retried: the client applies again.
    """
    application = _locked(application_id)
    operation = application.operation
    if (
        application.status != Status.APPROVED
        or operation is None
        or operation.status != PlatformOperation.Status.FAILED
    ):
        raise TradingError(
            code=TradingErrorCode.ACCOUNT_APPLICATION_NOT_FAILABLE,
            message=_("Only an approved application whose platform operation failed can be marked failed."),
            status=409,
        )
    reason = (reason or "").strip() or operation.error_code or _("The trading platform refused.")
    application.status, application.reason = Status.FAILED, reason
    application.save(update_fields=["status", "reason", "updated_at"])
    platform_operation_secrets_erase(operation_id=operation.pk, by=failed_by, reason=reason)
    audit_record(
        actor=failed_by,
        action="account_application.failed",
        target=application,
        reason=reason,
        data={"operation_id": operation.pk, "error_code": operation.error_code},
    )
    notify_on_commit(
        user=application.user,
        event="application_failed",
        type=application.account_type.name_i18n,
        application_id=application.pk,
        reason=reason,
    )
    return application


def account_application_on_opened(operation: PlatformOperation) -> None:
    """on_done of the `create_account` operation: record the account the platform opened.

    Runs in the outbox's transaction that marks the operation done; safe to run again (an opened
    application is left as it is).
    """
    application = _locked(AccountApplication.objects.values_list("pk", flat=True).get(operation=operation))
    account_open(application=application, login=int(operation.result["login"]))


def account_open(*, application: AccountApplication, login: int) -> TradingAccount:
    """The platform opened `application`'s account as `login`: record it (the application must be locked).

    Idempotent: an application already opened returns its account.
    """
    if application.status == Status.OPENED:
        return TradingAccount.objects.get(application=application)
    if application.status not in (Status.APPROVED, Status.FAILED):
        raise TradingError(
            code=TradingErrorCode.ACCOUNT_APPLICATION_NOT_PENDING,
            message=f"Application {application.pk} is {application.status}; it cannot be opened.",
            status=409,
        )
    account = TradingAccount.objects.create(
        user=application.user,
        account_type=application.account_type,
        server=application.server,
        login=login,
        currency=application.currency,
        leverage=application.leverage,
        is_demo=application.is_demo,
        application=application,
    )
    application.status, application.opened_at = Status.OPENED, timezone.now()
    application.save(update_fields=["status", "opened_at", "updated_at"])
    audit_record(
        actor=None,
        action="trading_account.opened",
        target=account,
        data={"login": login, "server": application.server.name, "application_id": application.pk},
    )
    notify_on_commit(
        user=application.user,
        event="account_opened",
        type=application.account_type.name_i18n,
        login=login,
        server=application.server.name,
    )
    return account
