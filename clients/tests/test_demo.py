import pytest

from clients.demo import load_demo_data
from clients.models import (
    ClientProfile,
    KycField,
    KycModule,
    KycModuleSubmission,
    KycStatus,
    Questionnaire,
    QuestionnaireQuestion,
    RegistrationAgreement,
    RegistrationModule,
    RegistrationTemplate,
)
from clients.selectors import client_profile_of, live_account_allowed
from crm.configuration.demo import load_demo_data as load_configuration
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts() -> list[int]:
    models = [
        RegistrationTemplate,
        RegistrationModule,
        KycField,
        RegistrationAgreement,
        Questionnaire,
        QuestionnaireQuestion,
        ClientProfile,
        KycModuleSubmission,
    ]
    return [model.objects.count() for model in models]


def test_loads_a_default_template_and_questionnaire_once():
    load_configuration()
    load_demo_data()
    first = counts()

    load_demo_data()

    assert counts() == first
    template = RegistrationTemplate.objects.get(is_default=True)
    assert [row.module for row in template.modules.all()] == [
        "identity",
        "contact",
        "job",
        "questionnaire",
        "authentication_accessory",
        "agreement",
        "e_verify",
    ]
    documents = RegistrationModule.objects.get(template=template, module=KycModule.AUTHENTICATION_ACCESSORY)
    assert [field.name for field in documents.fields.all()] == ["id_front", "id_back", "proof_of_address", "selfie"]
    assert template.questionnaire.questions.count() == 5
    assert [agreement.key for agreement in template.agreements.all()] == [
        "client_agreement",
        "risk_disclosure",
        "privacy_policy",
    ]
    for model in (RegistrationTemplate, RegistrationModule, KycField, RegistrationAgreement, QuestionnaireQuestion):
        for row in model.objects.all():
            row.full_clean()


def test_the_demo_client_is_approved_once_the_user_exists():
    load_configuration()
    load_demo_data()
    user = UserFactory(email="client@broker.example")
    assert client_profile_of(user=user).kyc_status == KycStatus.FILLING  # made lazily before the second run

    load_demo_data()
    load_demo_data()

    profile = ClientProfile.objects.get(user=user)
    assert profile.kyc_status == KycStatus.APPROVED
    assert live_account_allowed(user=user) is True
    assert set(profile.kyc_modules.values_list("status", flat=True)) == {"approved"}
    assert profile.questionnaire_answers.count() == 1
