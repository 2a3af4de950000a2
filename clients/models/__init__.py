"""The clients app's data: profiles and KYC, registration templates, questionnaires, e-verification."""

from clients.models.everify import EVerifySession
from clients.models.profiles import (
    ClientProfile,
    ClientSettings,
    KycModuleSubmission,
    KycStatus,
    KycWay,
    LiveAccountRule,
)
from clients.models.questionnaires import (
    Questionnaire,
    QuestionnaireAnswerRecord,
    QuestionnaireQuestion,
)
from clients.models.registration import (
    FIELD_MODULES,
    KycField,
    KycModule,
    RegistrationAgreement,
    RegistrationModule,
    RegistrationTemplate,
)

__all__ = [
    "FIELD_MODULES",
    "ClientProfile",
    "ClientSettings",
    "EVerifySession",
    "KycField",
    "KycModule",
    "KycModuleSubmission",
    "KycStatus",
    "KycWay",
    "LiveAccountRule",
    "Questionnaire",
    "QuestionnaireAnswerRecord",
    "QuestionnaireQuestion",
    "RegistrationAgreement",
    "RegistrationModule",
    "RegistrationTemplate",
]
