"""Every write of the clients app. Import from here; the modules are split by subject."""

from clients.services.everify import e_verify_result_apply, e_verify_session_create
from clients.services.kyc import (
    kyc_approve,
    kyc_data_save,
    kyc_module_save,
    kyc_modules_save,
    kyc_reject,
    kyc_submit,
)
from clients.services.questionnaires import questionnaire_answers_save
from clients.services.registration import client_register, client_register_social

__all__ = [
    "client_register",
    "client_register_social",
    "e_verify_result_apply",
    "e_verify_session_create",
    "kyc_approve",
    "kyc_data_save",
    "kyc_module_save",
    "kyc_modules_save",
    "kyc_reject",
    "kyc_submit",
    "questionnaire_answers_save",
]
