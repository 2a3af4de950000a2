import pytest
from django.urls import reverse

from clients.models import (
    EVerifySession,
    KycModule,
    KycModuleSubmission,
    Questionnaire,
    QuestionnaireAnswerRecord,
    QuestionnaireQuestion,
    RegistrationModule,
    RegistrationTemplate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(db):
    questionnaire = Questionnaire.objects.create(name_i18n={"en-US": "Experience"})
    options = [
        {"id": 1, "label_i18n": {"en-US": "Never", "zh-CN": "从未"}, "score": 0},
        {"id": 2, "label_i18n": {"en-US": "Often", "zh-CN": "经常"}, "score": 2},
    ]
    QuestionnaireQuestion.objects.create(
        questionnaire=questionnaire, text_i18n={"en-US": "Have you traded CFDs?"}, options=options, position=0
    )
    QuestionnaireQuestion.objects.create(
        questionnaire=questionnaire,
        text_i18n={"en-US": "Which markets?"},
        kind=QuestionnaireQuestion.Kind.MULTIPLE,
        options=[{"id": 1, "label_i18n": {"en-US": "Forex"}}, {"id": 2, "label_i18n": {"en-US": "Metals"}}],
        position=1,
    )
    QuestionnaireQuestion.objects.create(
        questionnaire=questionnaire,
        text_i18n={"en-US": "Anything else?"},
        kind=QuestionnaireQuestion.Kind.TEXT,
        is_required=False,
        position=2,
    )
    return questionnaire


@pytest.fixture(autouse=True)
def template(questionnaire):
    template = RegistrationTemplate.objects.create(name="Default", is_default=True, questionnaire=questionnaire)
    RegistrationModule.objects.create(template=template, module=KycModule.QUESTIONNAIRE, position=0)
    RegistrationModule.objects.create(template=template, module=KycModule.E_VERIFY, position=1)
    return template


def question_field(questionnaire, position):
    return f"question_{questionnaire.questions.get(position=position).pk}"


def test_the_questionnaire_step_records_the_answers(portal, client_user, questionnaire):
    url = reverse("portal:kyc_step", args=[KycModule.QUESTIONNAIRE])
    assert "Have you traded CFDs?" in portal.get(url).content.decode()

    response = portal.post(
        url,
        {
            question_field(questionnaire, 0): "2",
            question_field(questionnaire, 1): ["1", "2"],
            question_field(questionnaire, 2): "No",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:kyc_step", args=[KycModule.E_VERIFY])
    record = QuestionnaireAnswerRecord.objects.get(profile__user=client_user)
    assert record.score == 2
    assert [answer["option_ids"] for answer in record.answers] == [[2], [1, 2], []]
    submission = KycModuleSubmission.objects.get(profile__user=client_user, module=KycModule.QUESTIONNAIRE)
    assert submission.data["record_id"] == record.pk
    # Shown again as answered.
    html = portal.get(url).content.decode()
    assert f'name="{question_field(questionnaire, 0)}" value="2"' in html and "checked" in html


def test_unanswered_required_questions_are_shown_on_their_fields(portal, questionnaire):
    response = portal.post(reverse("portal:kyc_step", args=[KycModule.QUESTIONNAIRE]), {})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[question_field(questionnaire, 0)] == ["This question is required."]
    assert errors[question_field(questionnaire, 1)] == ["This question is required."]
    assert question_field(questionnaire, 2) not in errors
    assert not QuestionnaireAnswerRecord.objects.exists()


def test_the_e_verify_step_sends_the_client_to_the_provider(portal, client_user):
    url = reverse("portal:kyc_step", args=[KycModule.E_VERIFY])
    assert "Start electronic verification" in portal.get(url).content.decode()

    response = portal.post(url)

    session = EVerifySession.objects.get(profile__user=client_user)
    assert response.status_code == 302
    assert response["Location"] == session.redirect_url
    assert session.success_url.endswith(url)
