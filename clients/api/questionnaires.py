"""client.questionnaire.*: answering questionnaires and reading the answers back."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clients import selectors, services
from clients.api.permissions import IsClient
from clients.models import QuestionnaireAnswerRecord, QuestionnaireQuestion
from crm.api.languages import localized, request_language
from crm.api.schema import X_LANGUAGE
from crm.api.views import OperationView


class AnswerItemSerializer(serializers.Serializer):
    question_id = serializers.IntegerField()
    question = serializers.CharField(help_text="The question as it was asked, in the request's language.")
    kind = serializers.ChoiceField(choices=QuestionnaireQuestion.Kind.choices)
    option_ids = serializers.ListField(child=serializers.IntegerField(), help_text="The chosen options.")
    options = serializers.ListField(child=serializers.CharField(), help_text="Their labels, as they were then.")
    text = serializers.CharField(help_text='The free-text answer; "" for choice questions.')
    score = serializers.IntegerField(help_text="The points of the chosen options.")


class AnswersGetApi(OperationView):
    operation_id = "client.questionnaire.get_answers"
    permission_classes = [IsClient]

    class QuerySerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "QuestionnaireAnswers"

        id = serializers.IntegerField(help_text="The answer record.")
        name = serializers.CharField(help_text="The questionnaire's name.")
        items = AnswerItemSerializer(many=True, help_text="Every question of the questionnaire, in order.")
        questionnaire_id = serializers.IntegerField()
        score = serializers.IntegerField(help_text="The total of the items' scores.")
        created_at = serializers.DateTimeField(help_text="When the answers were given.")

    @extend_schema(
        parameters=[
            X_LANGUAGE,
            OpenApiParameter(
                "id",
                int,
                required=True,
                description="Questionnaire answer record ID (`kyc_data.questionnaire.record_id` of "
                "client.user.get_info, or what client.questionnaire.save_answers answered).",
            ),
        ],
        responses=OutputSerializer,
        summary="Get a Client user's questionnaire answers.",
        description="The client's own records only: anyone else's is 404 `questionnaire_answers_not_found`, like "
        "an unknown one.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        profile = selectors.client_profile_of(user=request.user)
        record = selectors.questionnaire_answer_record_of(profile=profile, record_id=query["id"])
        return Response(self.OutputSerializer(self.shown(record)).data)

    @staticmethod
    def shown(record: QuestionnaireAnswerRecord) -> dict:
        language = request_language()
        return {
            "id": record.pk,
            "name": localized(record.questionnaire.name_i18n, language),
            "questionnaire_id": record.questionnaire_id,
            "score": record.score,
            "created_at": record.created_at,
            "items": [
                {
                    "question_id": item["question_id"],
                    "question": localized(item.get("question_i18n"), language),
                    "kind": item["kind"],
                    "option_ids": item.get("option_ids", []),
                    "options": [localized(label, language) for label in item.get("options_i18n", [])],
                    "text": item.get("text", ""),
                    "score": item.get("score", 0),
                }
                for item in record.answers
            ],
        }


class AnswerInputSerializer(serializers.Serializer):
    question_id = serializers.IntegerField(help_text="A question of the questionnaire.")
    option_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="`single` questions: one option id; `multiple`: any number. Leave out for `text` questions.",
    )
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=True, help_text="`text` questions only."
    )


class AnswersSaveApi(OperationView):
    operation_id = "client.questionnaire.save_answers"
    permission_classes = [IsClient]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SaveQuestionnaireAnswers"

        answers = serializers.ListField(
            child=AnswerInputSerializer(),
            max_length=200,
            help_text="One per question answered; every required question must be answered.",
        )
        questionnaire_id = serializers.IntegerField(
            help_text="An enabled questionnaire (see the registration template)."
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "SaveQuestionnaireAnswersResult"

        id = serializers.IntegerField(help_text="The new answer record (client.questionnaire.get_answers).")

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Save a Client user's questionnaire answers.",
        description="Every save is a new record. Answers to the registration template's questionnaire fill the "
        "KYC `questionnaire` module. Errors: 400 `invalid_input` (fields such as `answers.2.option_ids`, or "
        "`answers` for required questions left out); 404 `questionnaire_not_found` (unknown or disabled); 409 "
        "`kyc_not_editable` (the KYC questionnaire while the application is reviewed or approved).",
    )
    def post(self, request):
        data = self.body(self.InputSerializer, request)
        record = services.questionnaire_answers_save(
            profile=selectors.client_profile_of(user=request.user),
            questionnaire_id=data["questionnaire_id"],
            answers=[dict(answer) for answer in data["answers"]],
        )
        return Response(self.OutputSerializer({"id": record.pk}).data)
