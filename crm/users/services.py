"""Signing in and out, passwords (change, reset), enabling and disabling users, purging credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.configuration.models import SecuritySettings, VerificationScene
from crm.errors import ApplicationError, Forbidden, Throttled
from crm.users.emails import email_send
from crm.users.hashing import digest, new_secret
from crm.users.models import ApiToken, Language, PasswordResetToken, User, normalize_email
from crm.users.passwords import password_validate
from crm.users.tokens import token_issue, token_revoke, tokens_revoke_all
from crm.verification.attempts import AttemptCounter
from crm.verification.captcha import captcha_check
from crm.verification.services import email_code_consume_if_required, email_codes_purge_expired

LOGIN_WINDOW_SECONDS = 15 * 60
# However the requests are spread, one address gets at most one reset e-mail in this interval.
PASSWORD_RESET_RESEND_INTERVAL = timedelta(seconds=60)
PURGE_AFTER = timedelta(days=7)


# --- Login ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str


def _login_failures(*, email: str, ip_address: str | None) -> list[AttemptCounter]:
    counters = [AttemptCounter(key=f"users:login_failures:email:{digest(email)}", window_seconds=LOGIN_WINDOW_SECONDS)]
    if ip_address:
        counters.append(
            AttemptCounter(key=f"users:login_failures:ip:{ip_address}", window_seconds=LOGIN_WINDOW_SECONDS)
        )
    return counters


def _captcha_provider(security: SecuritySettings) -> str:
    return "tencent" if security.tencent_two_factor_enabled else "recaptcha"


def user_login(
    *,
    email: str,
    password: str,
    ip_address: str | None = None,
    user_agent: str = "",
    captcha_ticket: str = "",
    captcha_rand_str: str = "",
    captcha_action: str = "",
) -> LoginResult:
    """Check the credentials (and the captcha, when the company turned it on) and issue a token.

    Failures are counted per e-mail and per IP for 15 minutes; past the company's limit every
    attempt is refused, even a right one, until the window ends."""
    security = SecuritySettings.load()
    email = normalize_email(email)
    counters = _login_failures(email=email, ip_address=ip_address)
    if security.login_max_failures:  # 0: no limit
        for counter in counters:
            if counter.count() >= security.login_max_failures:
                raise Throttled(
                    code="too_many_login_attempts",
                    message=_("Too many failed logins; try again later."),
                    retry_after=counter.retry_after(),
                )
    if security.is_captcha_on:
        captcha_check(
            ticket=captcha_ticket,
            rand_str=captcha_rand_str,
            action=captcha_action,
            user_ip=ip_address or "",
            provider=_captcha_provider(security),
        )

    user = User.objects.select_related("country").filter(email=email).first()
    if user is None:
        make_password(password)  # as slow as a real check, so the answer does not tell who has an account
    if user is None or not user.check_password(password):
        for counter in counters:
            counter.fail()
        raise ApplicationError(code="invalid_credentials", message=_("The e-mail or password is incorrect."))
    if not user.is_active:
        raise Forbidden(code="user_disabled", message=_("This account is disabled; contact support."))

    counters[0].reset()
    with transaction.atomic():
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(last_login=now)
        user.last_login = now
        token = token_issue(user=user, ip_address=ip_address, user_agent=user_agent)
    return LoginResult(user=user, token=token)


@transaction.atomic
def user_logout(*, token: ApiToken) -> None:
    token_revoke(token=token)


# --- Passwords ------------------------------------------------------------------------


def _password_set(*, user: User, password: str, strength: str) -> None:
    """Store the new password and end every session and pending reset of the user."""
    user.set_password(password)
    user.password_strength = strength
    user.save(update_fields=["password", "password_strength"])
    tokens_revoke_all(user=user)
    PasswordResetToken.objects.filter(user=user, used_at=None).update(used_at=timezone.now())


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str, email_code: str | None = None) -> None:
    """Change the password of a signed-in user. Every token of the user dies, the current one too:
    the apps log in again with the new password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ApplicationError(
            code="old_password_incorrect",
            message=_("The current password is incorrect."),
            fields={"old_password": [_("The current password is incorrect.")]},
        )
    if new_password == old_password:
        raise ApplicationError(
            code="password_unchanged",
            message=_("Choose a password different from the current one."),
            fields={"new_password": [_("This is your current password.")]},
        )
    strength = password_validate(password=new_password, user=user, field="new_password")
    email_code_consume_if_required(email=user.email, scene=VerificationScene.PASSWORD_CHANGE, code=email_code)
    _password_set(user=user, password=new_password, strength=strength)


def password_reset_url(*, token: str) -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}/reset-password?{urlencode({'token': token})}"


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link if `email` belongs to an enabled account; otherwise do nothing, silently,
    so the answer never tells whether an address has an account."""
    user = User.objects.filter(email=normalize_email(email), status=User.Status.ENABLED).first()
    if user is None:
        return
    try:
        _password_reset_token_create_and_send(user=user)
    except ApplicationError:
        # Not even a mail-server failure may tell the caller the address exists; the token was rolled back.
        return


@transaction.atomic
def _password_reset_token_create_and_send(*, user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()  # one reset e-mail at a time per user
    now = timezone.now()
    if PasswordResetToken.objects.filter(user=user, created_at__gt=now - PASSWORD_RESET_RESEND_INTERVAL).exists():
        return
    raw = new_secret()
    PasswordResetToken.objects.create(
        user=user, token_hash=digest(raw), expires_at=now + settings.PASSWORD_RESET_TOKEN_LIFETIME
    )
    email_send(
        to=user.email,
        subject=_("Reset your password"),
        template="password_reset",
        context={
            "reset_url": password_reset_url(token=raw),
            "minutes": int(settings.PASSWORD_RESET_TOKEN_LIFETIME.total_seconds() // 60),
        },
    )


@transaction.atomic
def password_reset(*, token: str, password: str) -> User:
    """Set a new password with a reset token. The token works once; every session of the user and
    every other reset token die."""
    invalid = ApplicationError(
        code="reset_token_invalid",
        message=_("This reset link is invalid, used or expired; ask for a new one."),
        fields={"token": [_("Invalid, used or expired.")]},
    )
    row = PasswordResetToken.objects.select_related("user").filter(token_hash=digest(token or "")).first()
    if row is None or not row.is_usable:
        raise invalid
    strength = password_validate(password=password, user=row.user, field="password")
    now = timezone.now()
    spent = PasswordResetToken.objects.filter(pk=row.pk, used_at=None, expires_at__gt=now).update(used_at=now)
    if not spent:
        raise invalid
    user = User.objects.select_for_update().get(pk=row.user_id)
    _password_set(user=user, password=password, strength=strength)
    return user


# --- Back office ----------------------------------------------------------------------


@transaction.atomic
def user_disable(*, user: User, by: User | None) -> bool:
    """Disable the account and end its sessions; returns whether it was enabled."""
    changed = User.objects.filter(pk=user.pk, status=User.Status.ENABLED).update(status=User.Status.DISABLED)
    tokens_revoke_all(user=user)
    user.status = User.Status.DISABLED
    if changed:
        audit_record(actor=by, action="user.disabled", target=user)
    return bool(changed)


@transaction.atomic
def user_enable(*, user: User, by: User | None) -> bool:
    """Enable the account; returns whether it was disabled."""
    changed = User.objects.filter(pk=user.pk, status=User.Status.DISABLED).update(status=User.Status.ENABLED)
    user.status = User.Status.ENABLED
    if changed:
        audit_record(actor=by, action="user.enabled", target=user)
    return bool(changed)


@transaction.atomic
def user_password_set(*, user: User, password: str, by: User | None) -> None:
    """Staff set a user's password in the back office; the company's rules apply as everywhere."""
    strength = password_validate(password=password, user=user, field="password")
    _password_set(user=user, password=password, strength=strength)
    audit_record(actor=by, action="user.password_set", target=user)


@transaction.atomic
def credentials_purge_expired(*, older_than: timedelta = PURGE_AFTER) -> dict[str, int]:
    """Delete API tokens, reset tokens and e-mail codes dead for more than `older_than`."""
    cutoff = timezone.now() - older_than
    api_tokens, _counts = ApiToken.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)).delete()
    reset_tokens, _counts = PasswordResetToken.objects.filter(Q(expires_at__lt=cutoff) | Q(used_at__lt=cutoff)).delete()
    return {
        "api_tokens": api_tokens,
        "password_reset_tokens": reset_tokens,
        "email_codes": email_codes_purge_expired(older_than=older_than),
    }


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Remember `language` (`zh-CN`, `en-US`) for `user`: the portal, the apps and e-mails use it."""
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
