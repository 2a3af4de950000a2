"""What the database and the admin's validation hold for templates and questionnaires."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clients.models import KycField, KycModule, QuestionnaireQuestion, RegistrationModule, RegistrationTemplate
from clients.tests.factories import QuestionnaireFactory, kyc_template
from crm.configuration.tests.factories import CountryFactory

pytestmark = pytest.mark.django_db


def test_one_default_template_and_one_per_country(country):
    kyc_template()
    kyc_template(name="SG", is_default=False, country=country)

    for kwargs in ({"name": "Second default", "is_default": True}, {"name": "SG again", "country": country}):
        with pytest.raises(IntegrityError), transaction.atomic():
            RegistrationTemplate.objects.create(**kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationTemplate.objects.create(name="Both", is_default=True, country=CountryFactory())


def test_a_module_appears_once_per_template(country):
    template = kyc_template()

    with pytest.raises(IntegrityError):
        RegistrationModule.objects.create(template=template, module=KycModule.IDENTITY)


def field(module, **values) -> KycField:
    return KycField(module=module, name=values.pop("name", "extra"), label_i18n={"en-US": "Extra"}, **values)


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"kind": "select", "options": []}, {"options"}),
        ({"kind": "select", "options": [{"value": "a"}, {"value": "a", "label_i18n": {}}]}, {"options"}),
        ({"kind": "select", "options": [{"value": "", "label_i18n": {}}]}, {"options"}),
        ({"kind": "select", "options": [{"value": "a", "label_i18n": {"fr": "A"}}]}, {"options"}),
        ({"kind": "text", "options": [{"value": "a", "label_i18n": {}}]}, {"options"}),
        ({"kind": "date", "max_length": 10}, {"max_length"}),
        ({"name": "Bad Name"}, {"name"}),
        ({"name": "1st"}, {"name"}),
        ({"label_i18n": {"de": "x"}}, {"label_i18n"}),
    ],
)
def test_bad_fields_are_refused_on_save_in_the_admin(country, values, errors):
    module = RegistrationModule.objects.get(template=kyc_template(), module=KycModule.IDENTITY)
    label = values.pop("label_i18n", None)
    row = field(module, **values)
    if label is not None:
        row.label_i18n = label

    with pytest.raises(ValidationError) as refusal:
        row.full_clean()

    assert set(refusal.value.message_dict) == errors


def test_a_good_select_field_passes(country):
    module = RegistrationModule.objects.get(template=kyc_template(), module=KycModule.IDENTITY)

    field(module, kind="select", options=[{"value": "a", "label_i18n": {"en-US": "A"}}]).full_clean()


def test_modules_answered_elsewhere_have_no_fields(country):
    module = RegistrationModule.objects.create(template=kyc_template(), module=KycModule.E_VERIFY)

    with pytest.raises(ValidationError) as refusal:
        field(module).full_clean()

    assert set(refusal.value.message_dict) == {"module"}


@pytest.mark.parametrize(
    "options",
    [
        [],
        [{"id": 1, "label_i18n": {}}],
        [{"id": 1, "label_i18n": {}}, {"id": 1, "label_i18n": {}}],
        [{"id": 0, "label_i18n": {}}, {"id": 2, "label_i18n": {}}],
        [{"id": 1, "label_i18n": {}, "score": "high"}, {"id": 2, "label_i18n": {}}],
        [{"id": 1, "label_i18n": {}, "colour": "red"}, {"id": 2, "label_i18n": {}}],
    ],
)
def test_bad_question_options_are_refused(db, options):
    question = QuestionnaireQuestion(questionnaire=QuestionnaireFactory(), text_i18n={"en-US": "Q"}, options=options)

    with pytest.raises(ValidationError) as refusal:
        question.full_clean()

    assert set(refusal.value.message_dict) == {"options"}


def test_free_text_questions_have_no_options(db):
    question = QuestionnaireQuestion(
        questionnaire=QuestionnaireFactory(),
        text_i18n={"en-US": "Q"},
        kind="text",
        options=[{"id": 1, "label_i18n": {}}],
    )

    with pytest.raises(ValidationError):
        question.full_clean()
