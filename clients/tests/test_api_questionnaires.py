"""client.questionnaire.save_answers, client.questionnaire.get_answers"""

import pytest
from django.utils import timezone

from clients.models import KycModuleSubmission, KycStatus, QuestionnaireAnswerRecord
from clients.selectors import client_profile_of
from clients.tests.factories import answers_for, questionnaire_with_questions
from crm.audit.models import AuditEntry
from crm.users.models import User
from crm.users.tests.factories import UserFactory

SAVE_URL = "/api/v1/client/questionnaire/save-answers"
GET_URL = "/api/v1/client/questionnaire/get-answers"

pytestmark = pytest.mark.django_db


def save(api, questionnaire_id, answers):
    return api.post(SAVE_URL, {"questionnaire_id": questionnaire_id, "answers": answers}, format="json")


def test_answers_are_recorded_scored_and_fill_the_kyc_module(client_api, client_user, template, questionnaire):
    response = save(client_api, questionnaire.pk, answers_for(questionnaire))

    assert response.status_code == 200
    record = QuestionnaireAnswerRecord.objects.get()
    assert response.json() == {"id": record.pk}
    q1, q2, q3 = questionnaire.questions.order_by("position")
    assert record.score == 6
    assert record.answers == [
        {
            "question_id": q1.pk,
            "question_i18n": {"zh-CN": "经验", "en-US": "Experience"},
            "kind": "single",
            "option_ids": [1],
            "options_i18n": [{"zh-CN": "甲", "en-US": "A"}],
            "text": "",
            "score": 1,
        },
        {
            "question_id": q2.pk,
            "question_i18n": {"zh-CN": "产品", "en-US": "Products"},
            "kind": "multiple",
            "option_ids": [1, 3],
            "options_i18n": [{"zh-CN": "外汇", "en-US": "X"}, {"zh-CN": "期货", "en-US": "Z"}],
            "text": "",
            "score": 5,
        },
        {
            "question_id": q3.pk,
            "question_i18n": {"zh-CN": "备注", "en-US": "Anything else"},
            "kind": "text",
            "option_ids": [],
            "options_i18n": [],
            "text": "hello",
            "score": 0,
        },
    ]
    profile = client_profile_of(user=client_user)
    module = KycModuleSubmission.objects.get(profile=profile, module="questionnaire")
    assert (module.status, module.data) == (
        KycStatus.FILLING,
        {"questionnaire_id": questionnaire.pk, "record_id": record.pk, "score": 6},
    )
    assert AuditEntry.objects.get(action="questionnaire.answered").data == {
        "questionnaire_id": questionnaire.pk,
        "record_id": record.pk,
        "score": 6,
    }


def test_the_answers_read_back_in_the_requested_language(client_api, template, questionnaire):
    record_id = save(client_api, questionnaire.pk, answers_for(questionnaire)).json()["id"]
    record = QuestionnaireAnswerRecord.objects.get(pk=record_id)
    q1, q2, q3 = questionnaire.questions.order_by("position")

    response = client_api.get(GET_URL, {"id": record_id})
    chinese = client_api.get(GET_URL, {"id": record_id}, HTTP_X_LANGUAGE="zh-CN").json()

    assert response.status_code == 200
    assert response.json() == {
        "id": record_id,
        "name": "Trading experience",
        "questionnaire_id": questionnaire.pk,
        "score": 6,
        "created_at": timezone.localtime(record.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "items": [
            {
                "question_id": q1.pk,
                "question": "Experience",
                "kind": "single",
                "option_ids": [1],
                "options": ["A"],
                "text": "",
                "score": 1,
            },
            {
                "question_id": q2.pk,
                "question": "Products",
                "kind": "multiple",
                "option_ids": [1, 3],
                "options": ["X", "Z"],
                "text": "",
                "score": 5,
            },
            {
                "question_id": q3.pk,
                "question": "Anything else",
                "kind": "text",
                "option_ids": [],
                "options": [],
                "text": "hello",
                "score": 0,
            },
        ],
    }
    assert chinese["name"] == "交易经验"
    assert chinese["items"][1]["options"] == ["外汇", "期货"]


def test_a_record_reads_the_same_after_staff_edit_the_questionnaire(client_api, template, questionnaire):
    record_id = save(client_api, questionnaire.pk, answers_for(questionnaire)).json()["id"]
    q1 = questionnaire.questions.order_by("position").first()
    q1.text_i18n = {"en-US": "Changed"}
    q1.options = [{"id": 1, "label_i18n": {"en-US": "Changed A"}, "score": 9}, {"id": 2, "label_i18n": {"en-US": "B"}}]
    q1.save()

    item = client_api.get(GET_URL, {"id": record_id}).json()["items"][0]

    assert (item["question"], item["options"], item["score"]) == ("Experience", ["A"], 1)


def test_another_clients_answers_are_404(api, client_user, template, questionnaire):
    record_id = save(api.login_as(client_user), questionnaire.pk, answers_for(questionnaire)).json()["id"]

    response = api.login_as(UserFactory(role=User.Role.CLIENT)).get(GET_URL, {"id": record_id})
    unknown = api.get(GET_URL, {"id": record_id + 1000})

    assert response.status_code == 404
    assert response.json() == {
        "code": "questionnaire_answers_not_found",
        "message": "These questionnaire answers do not exist.",
        "fields": {},
    }
    assert unknown.json()["code"] == "questionnaire_answers_not_found"


@pytest.mark.parametrize("query", [{}, {"id": "abc"}, {"id": 0}])
def test_get_answers_needs_a_record_id(client_api, template, query):
    response = client_api.get(GET_URL, query)

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"id"}


def test_answers_to_another_enabled_questionnaire_are_recorded_without_touching_kyc(client_api, client_user, template):
    other = questionnaire_with_questions()

    response = save(client_api, other.pk, answers_for(other))

    assert response.status_code == 200
    assert not KycModuleSubmission.objects.exists()
    assert QuestionnaireAnswerRecord.objects.get().questionnaire == other


def test_unknown_or_disabled_questionnaires_are_404(client_api, template, questionnaire):
    questionnaire.is_enabled = False
    questionnaire.save()

    disabled = save(client_api, questionnaire.pk, answers_for(questionnaire))
    unknown = save(client_api, questionnaire.pk + 100, [])

    for response in (disabled, unknown):
        assert response.status_code == 404
        assert response.json()["code"] == "questionnaire_not_found"
    assert not QuestionnaireAnswerRecord.objects.exists()


def test_bad_answers_are_refused_with_their_place_and_nothing_is_recorded(client_api, template, questionnaire):
    q1, q2, q3 = questionnaire.questions.order_by("position")

    response = save(
        client_api,
        questionnaire.pk,
        [
            {"question_id": q1.pk, "option_ids": [1, 2]},
            {"question_id": q2.pk, "option_ids": [3, 3]},
            {"question_id": q3.pk, "text": "far too long for this question"},
            {"question_id": 99999, "option_ids": [1]},
            {"question_id": q1.pk, "option_ids": [2]},
        ],
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "answers.0.option_ids": ["Choose one option."],
        "answers.1.option_ids": ["An option is chosen twice."],
        "answers.2.text": ["At most 20 characters."],
        "answers.3.question_id": ["Not a question of this questionnaire."],
        "answers.4.question_id": ["This question is answered twice."],
    }
    assert not QuestionnaireAnswerRecord.objects.exists()
    assert not KycModuleSubmission.objects.exists()


def test_required_questions_must_be_answered(client_api, template, questionnaire):
    q1, q2, _q3 = questionnaire.questions.order_by("position")

    response = save(client_api, questionnaire.pk, [{"question_id": q1.pk, "text": "A"}])

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "answers.0.text": ["This question is answered by choosing."],
        "answers.0.option_ids": ["This question is required."],
        "answers": [f"Answer the required questions: {q2.pk}."],
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"answers", "questionnaire_id"}),
        ({"questionnaire_id": "x", "answers": []}, {"questionnaire_id"}),
        ({"questionnaire_id": 1, "answers": {"a": 1}}, {"answers"}),
        ({"questionnaire_id": 1, "answers": [{"option_ids": [1]}]}, {"answers.0.question_id"}),
        ({"questionnaire_id": 1, "answers": [{"question_id": 1, "option_ids": "1"}]}, {"answers.0.option_ids"}),
    ],
)
def test_malformed_bodies_are_refused(client_api, template, body, fields):
    response = client_api.post(SAVE_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields


def test_the_kyc_questionnaire_cannot_change_while_the_application_is_reviewed(
    client_api, client_user, template, questionnaire
):
    profile = client_profile_of(user=client_user)
    profile.kyc_status = KycStatus.PENDING
    profile.save()

    response = save(client_api, questionnaire.pk, answers_for(questionnaire))

    assert response.status_code == 409
    assert response.json()["code"] == "kyc_not_editable"
    assert not QuestionnaireAnswerRecord.objects.exists()
