"""Demo data: a default registration template with the usual KYC modules, a trading-experience
questionnaire, and an approved KYC profile for the demo client.

Idempotent: running it again puts the same values back and adds nothing. The demo client's
approved profile is made when the user exists (the demo command creates its users first); a client
who signs up later gets an empty profile from `client_profile_of` on first use.
"""

from __future__ import annotations

from django.utils import timezone

from clients.models import (
    ClientProfile,
    ClientSettings,
    KycField,
    KycModule,
    KycModuleSubmission,
    KycStatus,
    KycWay,
    Questionnaire,
    QuestionnaireQuestion,
    RegistrationAgreement,
    RegistrationModule,
    RegistrationTemplate,
)
from clients.services.questionnaires import questionnaire_answers_check
from crm.users.models import User

DEMO_CLIENT_EMAIL = "client@broker.example"
QUESTIONNAIRE_NAME = {"zh-CN": "交易经验问卷", "en-US": "Trading experience"}


def texts(chinese: str, english: str) -> dict[str, str]:
    return {"zh-CN": chinese, "en-US": english}


def choice(value: str, chinese: str, english: str) -> dict:
    return {"value": value, "label_i18n": texts(chinese, english)}


def option(option_id: int, chinese: str, english: str, score: int) -> dict:
    return {"id": option_id, "label_i18n": texts(chinese, english), "score": score}


QUESTIONS = [
    (
        texts("您有多长时间的外汇或差价合约交易经验？", "How long have you traded forex or CFDs?"),
        QuestionnaireQuestion.Kind.SINGLE,
        [
            option(1, "没有经验", "Never", 0),
            option(2, "少于1年", "Less than a year", 1),
            option(3, "1至3年", "1 to 3 years", 2),
            option(4, "3年以上", "More than 3 years", 3),
        ],
    ),
    (
        texts("您交易过哪些产品？", "Which products have you traded?"),
        QuestionnaireQuestion.Kind.MULTIPLE,
        [
            option(1, "外汇", "Forex", 1),
            option(2, "股票", "Stocks", 1),
            option(3, "期货", "Futures", 1),
            option(4, "期权", "Options", 1),
            option(5, "加密货币", "Cryptocurrencies", 1),
        ],
    ),
    (
        texts("您的交易频率是？", "How often do you trade?"),
        QuestionnaireQuestion.Kind.SINGLE,
        [
            option(1, "很少", "Rarely", 0),
            option(2, "每月", "Monthly", 1),
            option(3, "每周", "Weekly", 2),
            option(4, "每天", "Daily", 3),
        ],
    ),
    (
        texts(
            "您是否了解杠杆交易可能导致超过本金的亏损？",
            "Do you understand that leverage can make you lose more than you invest?",
        ),
        QuestionnaireQuestion.Kind.SINGLE,
        [option(1, "了解", "Yes", 2), option(2, "不了解", "No", 0)],
    ),
    (
        texts("您的投资目标是？", "What is your investment objective?"),
        QuestionnaireQuestion.Kind.SINGLE,
        [
            option(1, "保本", "Preserving capital", 0),
            option(2, "稳定收益", "Regular income", 1),
            option(3, "资本增值", "Growth", 2),
            option(4, "投机", "Speculation", 3),
        ],
    ),
]

T, D, S, C, P, E, F = (
    KycField.Kind.TEXT,
    KycField.Kind.DATE,
    KycField.Kind.SELECT,
    KycField.Kind.COUNTRY,
    KycField.Kind.PHONE,
    KycField.Kind.EMAIL,
    KycField.Kind.FILE,
)

# module: (title, required, [(name, kind, label, required, options, max_length)])
MODULES = [
    (
        KycModule.IDENTITY,
        texts("身份信息", "Identity"),
        True,
        [
            ("first_name", T, texts("名", "First name"), True, [], 100),
            ("last_name", T, texts("姓", "Last name"), True, [], 100),
            ("birth_date", D, texts("出生日期", "Date of birth"), True, [], None),
            ("nationality", C, texts("国籍", "Nationality"), True, [], None),
            (
                "id_type",
                S,
                texts("证件类型", "ID type"),
                True,
                [
                    choice("passport", "护照", "Passport"),
                    choice("national_id", "身份证", "National ID card"),
                    choice("driving_licence", "驾驶证", "Driving licence"),
                ],
                None,
            ),
            ("id_number", T, texts("证件号码", "ID number"), True, [], 32),
        ],
    ),
    (
        KycModule.CONTACT,
        texts("联络信息", "Contact"),
        True,
        [
            ("address", T, texts("地址", "Address"), True, [], 200),
            ("city", T, texts("城市", "City"), True, [], 100),
            ("postcode", T, texts("邮政编码", "Postcode"), True, [], 20),
            ("country", C, texts("居住国家", "Country of residence"), True, [], None),
            ("phone", P, texts("手机号码", "Mobile phone"), True, [], None),
        ],
    ),
    (
        KycModule.JOB,
        texts("工作信息", "Employment"),
        True,
        [
            (
                "employment_status",
                S,
                texts("就业状况", "Employment status"),
                True,
                [
                    choice("employed", "受雇", "Employed"),
                    choice("self_employed", "自雇", "Self-employed"),
                    choice("unemployed", "无业", "Unemployed"),
                    choice("retired", "退休", "Retired"),
                    choice("student", "学生", "Student"),
                ],
                None,
            ),
            ("employer", T, texts("雇主", "Employer"), False, [], 150),
            ("occupation", T, texts("职业", "Occupation"), False, [], 100),
            (
                "annual_income",
                S,
                texts("年收入（美元）", "Annual income (USD)"),
                True,
                [
                    choice("under_25k", "25,000以下", "Under 25,000"),
                    choice("25k_100k", "25,000至100,000", "25,000 to 100,000"),
                    choice("over_100k", "100,000以上", "Over 100,000"),
                ],
                None,
            ),
            (
                "source_of_funds",
                S,
                texts("资金来源", "Source of funds"),
                True,
                [
                    choice("salary", "工资", "Salary"),
                    choice("business", "经营收入", "Business income"),
                    choice("investments", "投资收益", "Investments"),
                    choice("savings", "储蓄", "Savings"),
                ],
                None,
            ),
        ],
    ),
    (KycModule.QUESTIONNAIRE, texts("问卷调查", "Questionnaire"), True, []),
    (
        KycModule.AUTHENTICATION_ACCESSORY,
        texts("证明文件", "Documents"),
        True,
        [
            ("id_front", F, texts("证件正面", "ID document, front"), True, [], None),
            ("id_back", F, texts("证件背面", "ID document, back"), False, [], None),
            ("proof_of_address", F, texts("地址证明", "Proof of address"), True, [], None),
            ("selfie", F, texts("手持证件自拍", "Selfie holding the ID document"), True, [], None),
        ],
    ),
    (KycModule.AGREEMENT, texts("协议", "Agreements"), True, []),
    (KycModule.E_VERIFY, texts("电子验证", "Electronic verification"), False, []),
]

AGREEMENTS = [
    ("client_agreement", texts("客户协议", "Client agreement"), "https://broker.example/legal/client-agreement"),
    ("risk_disclosure", texts("风险披露声明", "Risk disclosure"), "https://broker.example/legal/risk-disclosure"),
    ("privacy_policy", texts("隐私政策", "Privacy policy"), "https://broker.example/legal/privacy-policy"),
]

DEMO_CLIENT_DATA = {
    KycModule.IDENTITY: {
        "first_name": "Demo",
        "last_name": "Client",
        "birth_date": "1990-05-17",
        "nationality": "SG",
        "id_type": "passport",
        "id_number": "E1234567X",
    },
    KycModule.CONTACT: {
        "address": "1 Raffles Place",
        "city": "Singapore",
        "postcode": "048616",
        "country": "SG",
        "phone": "+65 6123 4567",
    },
    KycModule.JOB: {
        "employment_status": "employed",
        "employer": "Example Pte Ltd",
        "occupation": "Engineer",
        "annual_income": "25k_100k",
        "source_of_funds": "salary",
    },
    KycModule.AUTHENTICATION_ACCESSORY: {"id_front": None, "id_back": None, "proof_of_address": None, "selfie": None},
    KycModule.AGREEMENT: {"client_agreement": True, "risk_disclosure": True, "privacy_policy": True},
}


def load_questionnaire() -> Questionnaire:
    questionnaire = next(
        (row for row in Questionnaire.objects.all() if row.name_i18n.get("en-US") == QUESTIONNAIRE_NAME["en-US"]),
        None,
    ) or Questionnaire(name_i18n=QUESTIONNAIRE_NAME)
    questionnaire.description_i18n = texts(
        "请如实回答，帮助我们了解您的交易经验。", "Tell us about your trading experience."
    )
    questionnaire.is_enabled = True
    questionnaire.save()
    for position, (text, kind, options) in enumerate(QUESTIONS, start=1):
        QuestionnaireQuestion.objects.update_or_create(
            questionnaire=questionnaire,
            position=position,
            defaults={"text_i18n": text, "kind": kind, "options": options, "is_required": True},
        )
    return questionnaire


def load_template(questionnaire: Questionnaire) -> RegistrationTemplate:
    template, _created = RegistrationTemplate.objects.update_or_create(
        is_default=True,
        defaults={
            "name": "Standard",
            "questionnaire": questionnaire,
            "remark_i18n": texts(
                "请如实填写以下信息，审核一般在1个工作日内完成。",
                "Fill in your details truthfully; we usually review an application within one working day.",
            ),
        },
    )
    for position, (module, title, is_required, fields) in enumerate(MODULES, start=1):
        row, _created = RegistrationModule.objects.update_or_create(
            template=template,
            module=module,
            defaults={"position": position, "is_required": is_required, "title_i18n": title},
        )
        for field_position, (name, kind, label, required, options, max_length) in enumerate(fields, start=1):
            KycField.objects.update_or_create(
                module=row,
                name=name,
                defaults={
                    "kind": kind,
                    "label_i18n": label,
                    "is_required": required,
                    "options": options,
                    "max_length": max_length,
                    "position": field_position,
                },
            )
    for position, (key, title, url) in enumerate(AGREEMENTS, start=1):
        RegistrationAgreement.objects.update_or_create(
            template=template,
            key=key,
            defaults={
                "title_i18n": title,
                "url_i18n": {"zh-CN": url + "?lang=zh-CN", "en-US": url},
                "position": position,
            },
        )
    return template


def load_demo_client(template: RegistrationTemplate, questionnaire: Questionnaire) -> None:
    """An approved application for the demo client, if the user exists (a later run makes it)."""
    user = User.objects.filter(email=DEMO_CLIENT_EMAIL).first()
    if user is None:
        return
    profile, _created = ClientProfile.objects.get_or_create(user=user)
    if profile.kyc_status == KycStatus.APPROVED:
        return
    now = timezone.now()
    # Some experience: the second choice of each question.
    recorded, score = questionnaire_answers_check(
        questionnaire=questionnaire,
        answers=[
            {"question_id": question.pk, "option_ids": [question.options[1]["id"]]}
            for question in questionnaire.questions.all()
        ],
    )
    record = questionnaire.answer_records.create(profile=profile, answers=recorded, score=score)
    data = {
        **DEMO_CLIENT_DATA,
        KycModule.QUESTIONNAIRE: {"questionnaire_id": questionnaire.pk, "record_id": record.pk, "score": score},
    }
    for module, values in data.items():
        KycModuleSubmission.objects.update_or_create(
            profile=profile,
            module=module,
            defaults={"data": values, "status": KycStatus.APPROVED, "submitted_at": now, "reviewed_at": now},
        )
    profile.registration_template = template
    profile.kyc_status, profile.kyc_way = KycStatus.APPROVED, KycWay.MANUAL
    profile.kyc_submitted_at = profile.kyc_approved_at = profile.reviewed_at = now
    profile.save()


def load_demo_data() -> None:
    ClientSettings.load()
    questionnaire = load_questionnaire()
    template = load_template(questionnaire)
    load_demo_client(template, questionnaire)
