"""E-mail verification codes: sending one for a scene, and consuming it where the scene asks for it.

Withdrawals, transfers, registration and password changes call `email_code_consume` (or
`email_code_consume_if_required`) inside their own transaction, so when they fail afterwards the
code is not spent.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.configuration.models import SecuritySettings, VerificationScene
from crm.errors import ApplicationError, Conflict, Throttled, Unauthorized
from crm.users.emails import email_send
from crm.users.hashing import digest
from crm.users.models import User, normalize_email
from crm.verification.attempts import AttemptCounter
from crm.verification.errors import VerificationErrorCode as Code
from crm.verification.models import EmailCode

CODE_DIGITS = 6
DAILY_LIMIT = 10  # codes per e-mail address in any 24 hours, all scenes together
DAILY_WINDOW = timedelta(hours=24)
# While one send for an address is in flight, another is refused rather than raced.
SENDING_LOCK_SECONDS = 60


def email_code_required(*, scene: str) -> bool:
    """Whether the company asks for an e-mail code in `scene`."""
    return SecuritySettings.load().requires_email_code(scene)


def _attempts(*, email: str, scene: str, security: SecuritySettings) -> AttemptCounter:
    return AttemptCounter(
        key=f"verification:email_code:failures:{scene}:{digest(email)}",
        window_seconds=max(60, security.email_code_lifetime_minutes * 60),
    )


def _seconds_until(moment) -> int:
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def email_code_send(*, email: str | None, scene: str, user: User | None = None) -> EmailCode:
    """E-mail a new 6-digit code for `scene`; it supersedes the address's older codes of that scene.

    `register` sends to `email`, which must not belong to an account yet; the other scenes send to
    the signed-in `user`'s own address (`email`, when given, must be it)."""
    email = _recipient(email=email, scene=scene, user=user)
    lock = f"verification:email_code:sending:{digest(email)}"
    security = SecuritySettings.load()
    if not cache.add(lock, 1, timeout=SENDING_LOCK_SECONDS):
        raise Throttled(
            code=Code.EMAIL_CODE_RESEND_TOO_SOON,
            message=_("A code is being sent to this address; wait before asking for another."),
            retry_after=security.email_code_resend_seconds,
        )
    try:
        row = _email_code_create_and_send(email=email, scene=scene, user=user, security=security)
    finally:
        cache.delete(lock)
    # A new code, a new allowance of attempts.
    _attempts(email=email, scene=scene, security=security).reset()
    return row


def _recipient(*, email: str | None, scene: str, user: User | None) -> str:
    if scene == VerificationScene.REGISTER:
        if not email:
            raise ApplicationError(
                code="invalid_input",
                message=_("Some fields are missing or invalid."),
                fields={"email": [_("Give the e-mail address to register.")]},
            )
        email = normalize_email(email)
        if User.objects.filter(email=email).exists():
            raise Conflict(
                code=Code.EMAIL_ALREADY_REGISTERED,
                message=_("This e-mail address is already registered; log in instead."),
                fields={"email": [_("This e-mail address is already registered.")]},
            )
        return email
    if user is None:
        raise Unauthorized(code="not_authenticated", message=_("Log in to receive a code for this action."))
    if email and normalize_email(email) != user.email:
        raise ApplicationError(
            code=Code.EMAIL_MISMATCH,
            message=_("Codes for this action are sent to your account's e-mail address."),
            fields={"email": [_("This is not your account's e-mail address.")]},
        )
    return user.email


@transaction.atomic
def _email_code_create_and_send(*, email: str, scene: str, user: User | None, security: SecuritySettings) -> EmailCode:
    now = timezone.now()
    resend_interval = timedelta(seconds=security.email_code_resend_seconds)
    latest = EmailCode.objects.filter(email=email, scene=scene).order_by("-created_at").first()
    if latest is not None and latest.created_at + resend_interval > now:
        raise Throttled(
            code=Code.EMAIL_CODE_RESEND_TOO_SOON,
            message=_("A code was just sent; wait before asking for another."),
            retry_after=_seconds_until(latest.created_at + resend_interval),
        )
    sent_today = EmailCode.objects.filter(email=email, created_at__gt=now - DAILY_WINDOW).order_by("created_at")
    if sent_today.count() >= DAILY_LIMIT:
        oldest = sent_today.values_list("created_at", flat=True)[0]
        raise Throttled(
            code=Code.EMAIL_CODE_DAILY_LIMIT,
            message=_("Too many codes were sent to this address today; try again later."),
            retry_after=_seconds_until(oldest + DAILY_WINDOW),
        )

    EmailCode.objects.filter(email=email, scene=scene, consumed_at=None, superseded_at=None).update(superseded_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = EmailCode.objects.create(
        email=email,
        scene=scene,
        user=user,
        code_hash=digest(code),
        created_at=now,
        expires_at=now + timedelta(minutes=security.email_code_lifetime_minutes),
    )
    # Sent inside the transaction on purpose: a code the mail server refused is not stored, so the
    # user is not made to wait out a resend interval for an e-mail that never left.
    email_send(
        to=email,
        subject=_("Your verification code: %(code)s") % {"code": code},
        template="email_code",
        context={
            "code": code,
            "scene": VerificationScene(scene).label,
            "minutes": security.email_code_lifetime_minutes,
        },
    )
    return row


def _code_error(code: str, message: str, detail: str, field: str) -> ApplicationError:
    return ApplicationError(code=code, message=message, fields={field: [detail]})


@transaction.atomic
def email_code_consume(*, email: str, scene: str, code: str, field: str = "email_code") -> None:
    """Spend the live code of `email` and `scene`, or refuse.

    Wrong guesses are counted in the cache (nothing is written); after the company's maximum the
    address is refused until the window ends or a new code is sent. Spending is a conditional
    UPDATE, so one code serves one request even when two arrive together."""
    email = normalize_email(email)
    security = SecuritySettings.load()
    attempts = _attempts(email=email, scene=scene, security=security)
    max_attempts = security.email_code_max_attempts  # 0: no limit
    if max_attempts and attempts.count() >= max_attempts:
        raise Throttled(
            code=Code.EMAIL_CODE_TOO_MANY_ATTEMPTS,
            message=_("Too many wrong codes; ask for a new code."),
            retry_after=attempts.retry_after(),
        )
    now = timezone.now()
    live = (
        EmailCode.objects.filter(email=email, scene=scene, consumed_at=None, superseded_at=None, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    expired = _code_error(
        Code.EMAIL_CODE_EXPIRED,
        _("The e-mail code has expired or was already used; ask for a new one."),
        _("Expired or already used."),
        field,
    )
    if live is None:
        raise expired
    if not hmac.compare_digest(live.code_hash, digest((code or "").strip())):
        attempts.fail()
        raise _code_error(
            Code.EMAIL_CODE_INVALID, _("The e-mail code is incorrect."), _("The code is incorrect."), field
        )
    spent = EmailCode.objects.filter(pk=live.pk, consumed_at=None, superseded_at=None, expires_at__gt=now).update(
        consumed_at=now
    )
    if not spent:
        raise expired
    attempts.reset()


def email_code_consume_if_required(*, email: str, scene: str, code: str | None, field: str = "email_code") -> bool:
    """Consume `code` when the company asks for an e-mail code in `scene`; returns whether one was spent."""
    if not email_code_required(scene=scene):
        return False
    if not code:
        raise ApplicationError(
            code=Code.EMAIL_CODE_REQUIRED,
            message=_("Enter the code sent to your e-mail."),
            fields={field: [_("This field is required.")]},
        )
    email_code_consume(email=email, scene=scene, code=code, field=field)
    return True


@transaction.atomic
def email_codes_purge_expired(*, older_than: timedelta) -> int:
    """Delete codes that expired more than `older_than` ago; returns how many."""
    cutoff = timezone.now() - max(older_than, DAILY_WINDOW)  # the daily limit counts the last day's codes
    deleted, _per_model = EmailCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
