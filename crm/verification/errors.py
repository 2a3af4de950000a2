"""The refusals of e-mail codes and captchas, with their stable codes."""

from __future__ import annotations

from enum import StrEnum


class VerificationErrorCode(StrEnum):
    EMAIL_CODE_RESEND_TOO_SOON = "email_code_resend_too_soon"  # 429, Retry-After
    EMAIL_CODE_DAILY_LIMIT = "email_code_daily_limit"  # 429, Retry-After
    EMAIL_CODE_REQUIRED = "email_code_required"  # 400, fields.email_code
    EMAIL_CODE_INVALID = "email_code_invalid"  # 400, fields.email_code
    EMAIL_CODE_EXPIRED = "email_code_expired"  # 400, fields.email_code
    EMAIL_CODE_TOO_MANY_ATTEMPTS = "email_code_too_many_attempts"  # 429, Retry-After
    EMAIL_ALREADY_REGISTERED = "email_already_registered"  # 409, fields.email
    EMAIL_MISMATCH = "email_mismatch"  # 400, fields.email
    EMAIL_UNAVAILABLE = "email_unavailable"  # 503: the mail server refused or did not answer
    CAPTCHA_REQUIRED = "captcha_required"  # 400
    CAPTCHA_INVALID = "captcha_invalid"  # 400
    CAPTCHA_UNAVAILABLE = "captcha_unavailable"  # 503: the provider failed or is not configured
