"""The clients app's refusals and their stable codes."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from crm.errors import ApplicationError


class ClientErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"  # 400, with `fields` (kyc_data.<module>.<field>, answers.<n>.…)
    EMAIL_ALREADY_REGISTERED = "email_already_registered"  # 409, fields.email
    NOT_A_CLIENT = "not_a_client"  # 403: staff have no client profile
    REGISTRATION_TEMPLATE_NOT_FOUND = "registration_template_not_found"  # 404: the broker set none up
    KYC_NOT_EDITABLE = "kyc_not_editable"  # 409: the application is under review or approved
    KYC_INCOMPLETE = "kyc_incomplete"  # 409, extra `missing_modules`
    KYC_NOT_PENDING = "kyc_not_pending"  # 409: approve/reject an application that is not under review
    QUESTIONNAIRE_NOT_FOUND = "questionnaire_not_found"  # 404
    QUESTIONNAIRE_ANSWERS_NOT_FOUND = "questionnaire_answers_not_found"  # 404 (also: someone else's)
    E_VERIFY_NOT_AVAILABLE = "e_verify_not_available"  # 409: the client's template has no e_verify module
    E_VERIFY_ALREADY_APPROVED = "e_verify_already_approved"  # 409
    E_VERIFY_SESSION_ACTIVE = "e_verify_session_active"  # 409, extra `session_id`
    E_VERIFY_ATTEMPTS_EXHAUSTED = "e_verify_attempts_exhausted"  # 409
    E_VERIFY_SESSION_NOT_FOUND = "e_verify_session_not_found"  # 404 (also: someone else's)
    E_VERIFY_SESSION_EXPIRED = "e_verify_session_expired"  # 409 (a result arrived after the session expired)
    E_VERIFY_CALLBACK_INVALID = "e_verify_callback_invalid"  # 400: unsigned, forged or malformed callback


class ClientError(ApplicationError):
    """400 unless the code says otherwise."""


def invalid_input(fields: dict[str, list[str]]) -> ClientError:
    return ClientError(
        code=ClientErrorCode.INVALID_INPUT, message=_("Some fields are missing or invalid."), fields=fields
    )
