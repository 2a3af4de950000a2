"""Captcha verification: Tencent Cloud captcha, Google reCAPTCHA, and a fake for tests and demos.

`settings.CAPTCHA_VERIFIER` picks the provider ("tencent", "recaptcha" or "fake"); "fake" wins
over any provider a caller asks for, so tests and demos never reach the network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from crm.errors import ApplicationError
from crm.verification.errors import VerificationErrorCode

logger = logging.getLogger(__name__)


class CaptchaUnavailable(ApplicationError):
    """The provider failed, timed out, or is not configured: the answer is unknown, not "no"."""

    status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(
            code=VerificationErrorCode.CAPTCHA_UNAVAILABLE,
            message=_("The captcha could not be checked right now; try again in a moment."),
        )
        self.reason = reason


class CaptchaVerifier(ABC):
    @abstractmethod
    def verify(
        self, *, ticket: str, rand_str: str, user_ip: str, app_id: int | None = None, action: str | None = None
    ) -> bool:
        """Whether the provider accepts `ticket`; raises `CaptchaUnavailable` when it cannot tell."""


class FakeCaptchaVerifier(CaptchaVerifier):
    """Accepts the ticket "valid" and nothing else."""

    VALID_TICKET = "valid"

    def verify(self, *, ticket, rand_str, user_ip, app_id=None, action=None) -> bool:
        return ticket == self.VALID_TICKET


# --- Tencent Cloud captcha -------------------------------------------------------------

TC3_ALGORITHM = "TC3-HMAC-SHA256"


def tc3_authorization(
    *, secret_id: str, secret_key: str, service: str, headers: dict[str, str], payload: bytes, timestamp: int
) -> str:
    """The `Authorization` header of a Tencent Cloud API 3.0 POST, signed with TC3-HMAC-SHA256.

    `headers` are the headers to sign (at least content-type and host), as sent."""
    signed = {name.lower(): value.strip().lower() for name, value in headers.items()}
    names = sorted(signed)
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [TC3_ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )

    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    signing_key = sign(sign(sign(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{TC3_ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"


class TencentCaptchaVerifier(CaptchaVerifier):
    """DescribeCaptchaResult of Tencent Cloud's captcha API (version 2019-07-22)."""

    SERVICE = "captcha"
    ACTION = "DescribeCaptchaResult"
    VERSION = "2019-07-22"
    CAPTCHA_TYPE = 9  # fixed by Tencent for this action
    VALID = 1
    # The ticket was issued for another captcha app (16) or the key does not match the app (100).
    OTHER_APP = {16, 100}
    CONTENT_TYPE = "application/json; charset=utf-8"

    def verify(self, *, ticket, rand_str, user_ip, app_id=None, action=None) -> bool:
        from crm.configuration.models import AppKeys

        keys = AppKeys.load()
        secret_keys = {str(key): value for key, value in (keys.tencent_app_secret_keys or {}).items()}
        if app_id is None:
            # Login sends no app id: try the web, iOS and Android apps in turn; a ticket names its app.
            candidates = [
                candidate
                for candidate in (keys.tencent_web_app_id, keys.tencent_ios_app_id, keys.tencent_android_app_id)
                if candidate and str(candidate) in secret_keys
            ]
        else:
            candidates = [app_id]
        if not candidates:
            raise CaptchaUnavailable("no Tencent captcha app with an AppSecretKey is configured")
        for candidate in candidates:
            secret = secret_keys.get(str(candidate))
            if not secret:
                raise CaptchaUnavailable(f"no AppSecretKey for Tencent captcha app {candidate}")
            code = self.captcha_code(
                app_id=int(candidate), app_secret_key=secret, ticket=ticket, rand_str=rand_str, user_ip=user_ip
            )
            if code == self.VALID:
                return True
            if code not in self.OTHER_APP:
                return False
        return False

    def captcha_code(self, *, app_id: int, app_secret_key: str, ticket: str, rand_str: str, user_ip: str) -> int:
        """Tencent's CaptchaCode for the ticket (1: valid; others: why not)."""
        if not (settings.TENCENT_CAPTCHA_SECRET_ID and settings.TENCENT_CAPTCHA_SECRET_KEY):
            raise CaptchaUnavailable("TENCENT_CAPTCHA_SECRET_ID / TENCENT_CAPTCHA_SECRET_KEY are not set")
        payload = json.dumps(
            {
                "CaptchaType": self.CAPTCHA_TYPE,
                "Ticket": ticket,
                "UserIp": user_ip,
                "Randstr": rand_str,
                "CaptchaAppId": app_id,
                "AppSecretKey": app_secret_key,
            }
        ).encode()
        endpoint = settings.TENCENT_CAPTCHA_ENDPOINT
        timestamp = int(time.time())
        signed_headers = {"Content-Type": self.CONTENT_TYPE, "Host": urlsplit(endpoint).netloc}
        headers = {
            **signed_headers,
            "Authorization": tc3_authorization(
                secret_id=settings.TENCENT_CAPTCHA_SECRET_ID,
                secret_key=settings.TENCENT_CAPTCHA_SECRET_KEY,
                service=self.SERVICE,
                headers=signed_headers,
                payload=payload,
                timestamp=timestamp,
            ),
            "X-TC-Action": self.ACTION,
            "X-TC-Version": self.VERSION,
            "X-TC-Timestamp": str(timestamp),
        }
        try:
            response = requests.post(endpoint, data=payload, headers=headers, timeout=settings.CAPTCHA_TIMEOUT_SECONDS)
            response.raise_for_status()
            body = response.json()["Response"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            logger.warning("Tencent captcha request failed: %s", error)
            raise CaptchaUnavailable(f"request failed: {error}") from error
        if "Error" in body:
            # Signature, key or quota problems: ours to fix, not the user's ticket.
            logger.error("Tencent captcha refused the request: %s (request %s)", body["Error"], body.get("RequestId"))
            raise CaptchaUnavailable(f"{body['Error'].get('Code')}: {body['Error'].get('Message')}")
        try:
            return int(body["CaptchaCode"])
        except (KeyError, TypeError, ValueError) as error:
            raise CaptchaUnavailable(f"unexpected answer: {body!r}") from error


# --- Google reCAPTCHA ------------------------------------------------------------------


class RecaptchaVerifier(CaptchaVerifier):
    """Google reCAPTCHA's siteverify; v3 answers are also checked for action and score."""

    MINIMUM_SCORE = 0.5

    def verify(self, *, ticket, rand_str, user_ip, app_id=None, action=None) -> bool:
        from crm.configuration.models import AppKeys

        secret = AppKeys.load().recaptcha_secret_key
        if not secret:
            raise CaptchaUnavailable("no reCAPTCHA secret key is configured")
        form = {"secret": secret, "response": ticket}
        if user_ip:
            form["remoteip"] = user_ip
        try:
            response = requests.post(settings.RECAPTCHA_ENDPOINT, data=form, timeout=settings.CAPTCHA_TIMEOUT_SECONDS)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            logger.warning("reCAPTCHA request failed: %s", error)
            raise CaptchaUnavailable(f"request failed: {error}") from error
        if not isinstance(body, dict) or not body.get("success"):
            return False
        if action and body.get("action") not in (None, action):
            return False
        score = body.get("score")
        return score is None or float(score) >= self.MINIMUM_SCORE


VERIFIERS: dict[str, type[CaptchaVerifier]] = {
    "tencent": TencentCaptchaVerifier,
    "recaptcha": RecaptchaVerifier,
    "fake": FakeCaptchaVerifier,
}


def captcha_verifier(provider: str | None = None) -> CaptchaVerifier:
    """The configured verifier, or the one for `provider` ("tencent", "recaptcha") unless faked."""
    name = "fake" if settings.CAPTCHA_VERIFIER == "fake" else provider or settings.CAPTCHA_VERIFIER
    try:
        return VERIFIERS[name]()
    except KeyError:
        raise CaptchaUnavailable(f"unknown captcha verifier {name!r}") from None


def captcha_check(
    *, ticket: str, rand_str: str = "", user_ip: str = "", action: str = "", provider: str | None = None
) -> None:
    """Refuse unless the captcha answer is present and accepted."""
    if not ticket:
        raise ApplicationError(code=VerificationErrorCode.CAPTCHA_REQUIRED, message=_("Complete the captcha first."))
    accepted = captcha_verifier(provider).verify(
        ticket=ticket, rand_str=rand_str, user_ip=user_ip, action=action or None
    )
    if not accepted:
        raise ApplicationError(
            code=VerificationErrorCode.CAPTCHA_INVALID, message=_("The captcha was not solved; try again.")
        )
