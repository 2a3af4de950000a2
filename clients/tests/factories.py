"""Factories of the clients app, and a complete registration template to fill in."""

from __future__ import annotations

import factory

from clients.models import (
    ClientProfile,
    KycField,
    KycModule,
    Questionnaire,
    QuestionnaireQuestion,
    RegistrationAgreement,
    RegistrationModule,
    RegistrationTemplate,
)
from crm.configuration.models import Country
from crm.files.tests.factories import StoredFileFactory
from crm.users.tests.factories import UserFactory


def texts(chinese: str, english: str) -> dict[str, str]:
    return {"zh-CN": chinese, "en-US": english}


class ClientProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientProfile

    user = factory.SubFactory(UserFactory)


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    name_i18n = factory.LazyFunction(lambda: texts("交易经验", "Trading experience"))
    description_i18n = factory.LazyFunction(lambda: texts("说明", "About you"))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionnaireQuestion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    text_i18n = factory.LazyFunction(lambda: texts("问题", "Question"))
    kind = QuestionnaireQuestion.Kind.SINGLE
    options = factory.LazyFunction(
        lambda: [
            {"id": 1, "label_i18n": texts("甲", "A"), "score": 1},
            {"id": 2, "label_i18n": texts("乙", "B"), "score": 3},
        ]
    )
    position = factory.Sequence(lambda n: n)


def questionnaire_with_questions() -> Questionnaire:
    """Q1 single (A=1, B=3), Q2 multiple (X=1, Y=2, Z=4), Q3 optional free text."""
    questionnaire = QuestionnaireFactory()
    QuestionFactory(questionnaire=questionnaire, position=1, text_i18n=texts("经验", "Experience"))
    QuestionFactory(
        questionnaire=questionnaire,
        position=2,
        kind=QuestionnaireQuestion.Kind.MULTIPLE,
        text_i18n=texts("产品", "Products"),
        options=[
            {"id": 1, "label_i18n": texts("外汇", "X"), "score": 1},
            {"id": 2, "label_i18n": texts("股票", "Y"), "score": 2},
            {"id": 3, "label_i18n": texts("期货", "Z"), "score": 4},
        ],
    )
    QuestionFactory(
        questionnaire=questionnaire,
        position=3,
        kind=QuestionnaireQuestion.Kind.TEXT,
        text_i18n=texts("备注", "Anything else"),
        options=[],
        is_required=False,
        max_length=20,
    )
    return questionnaire


def answers_for(questionnaire: Questionnaire) -> list[dict]:
    """Valid answers: A (1), X and Z (5), a note: score 6."""
    q1, q2, q3 = questionnaire.questions.order_by("position")
    return [
        {"question_id": q1.pk, "option_ids": [1]},
        {"question_id": q2.pk, "option_ids": [1, 3]},
        {"question_id": q3.pk, "text": "hello"},
    ]


def kyc_template(
    *,
    name: str = "Standard",
    is_default: bool = True,
    country: Country | None = None,
    questionnaire: Questionnaire | None = None,
    e_verify: bool = False,
    e_verify_required: bool = False,
) -> RegistrationTemplate:
    """identity (first_name ≤20, birth_date, nationality, id_type, optional note), contact (phone,
    optional email), authentication_accessory (id_front, optional id_back), [questionnaire],
    agreement (client_agreement), [e_verify]."""
    template = RegistrationTemplate.objects.create(
        name=name,
        is_default=is_default,
        country=country,
        questionnaire=questionnaire,
        remark_i18n=texts("请如实填写", "Fill in truthfully"),
    )
    identity = RegistrationModule.objects.create(
        template=template,
        module=KycModule.IDENTITY,
        position=1,
        title_i18n=texts("身份信息", "Identity"),
        description_i18n=texts("与证件一致", "As on your ID"),
    )
    for position, (field_name, kind, label, extra) in enumerate(
        [
            ("first_name", KycField.Kind.TEXT, texts("名", "First name"), {"max_length": 20}),
            ("birth_date", KycField.Kind.DATE, texts("出生日期", "Date of birth"), {}),
            ("nationality", KycField.Kind.COUNTRY, texts("国籍", "Nationality"), {}),
            (
                "id_type",
                KycField.Kind.SELECT,
                texts("证件类型", "ID type"),
                {
                    "options": [
                        {"value": "passport", "label_i18n": texts("护照", "Passport")},
                        {"value": "national_id", "label_i18n": texts("身份证", "National ID")},
                    ]
                },
            ),
            (
                "note",
                KycField.Kind.TEXT,
                texts("备注", "Note"),
                {"is_required": False, "help_i18n": texts("选填", "Optional")},
            ),
        ]
    ):
        KycField.objects.create(
            module=identity, name=field_name, kind=kind, label_i18n=label, position=position, **extra
        )
    contact = RegistrationModule.objects.create(template=template, module=KycModule.CONTACT, position=2)
    KycField.objects.create(module=contact, name="phone", kind=KycField.Kind.PHONE, label_i18n=texts("电话", "Phone"))
    KycField.objects.create(
        module=contact, name="email", kind=KycField.Kind.EMAIL, label_i18n=texts("邮箱", "E-mail"), is_required=False
    )
    documents = RegistrationModule.objects.create(
        template=template, module=KycModule.AUTHENTICATION_ACCESSORY, position=3
    )
    KycField.objects.create(
        module=documents, name="id_front", kind=KycField.Kind.FILE, label_i18n=texts("证件正面", "ID front")
    )
    KycField.objects.create(
        module=documents,
        name="id_back",
        kind=KycField.Kind.FILE,
        label_i18n=texts("证件背面", "ID back"),
        is_required=False,
        position=1,
    )
    if questionnaire is not None:
        RegistrationModule.objects.create(template=template, module=KycModule.QUESTIONNAIRE, position=4)
    RegistrationModule.objects.create(template=template, module=KycModule.AGREEMENT, position=5)
    RegistrationAgreement.objects.create(
        template=template,
        key="client_agreement",
        title_i18n=texts("客户协议", "Client agreement"),
        content_i18n=texts("协议正文", "The agreement"),
        url_i18n={"zh-CN": "https://broker.example/zh/agreement", "en-US": "https://broker.example/en/agreement"},
    )
    if e_verify:
        RegistrationModule.objects.create(
            template=template, module=KycModule.E_VERIFY, position=6, is_required=e_verify_required
        )
    return template


def valid_kyc_data(owner, *, country_code: str = "SG") -> dict:
    """Data that fills every field module of `kyc_template`, with a document of `owner`'s."""
    document = StoredFileFactory(owner=owner)
    return {
        "identity": {
            "first_name": "Ada",
            "birth_date": "1990-05-17",
            "nationality": country_code,
            "id_type": "passport",
        },
        "contact": {"phone": "+65 6123 4567"},
        "authentication_accessory": {"id_front": document.pk},
        "agreement": {"client_agreement": True},
    }
