"""client.user.get_info, client.user.get_registration_template, client.user.save_kyc_data"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.models import ClientProfile, KycField, KycModule, KycModuleSubmission, KycStatus, RegistrationModule
from clients.selectors import client_profile_of
from clients.tests.factories import answers_for, kyc_template, valid_kyc_data
from crm.audit.models import AuditEntry
from crm.configuration.tests.factories import CountryFactory
from crm.files.models import StoredFile
from crm.files.services import private_url, stored_file_from_url
from crm.files.tests.factories import StoredFileFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

INFO_URL = "/api/v1/client/user/get-info"
TEMPLATE_URL = "/api/v1/client/user/get-registration-template"
SAVE_URL = "/api/v1/client/user/save-kyc-data"

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(480)).strftime("%Y-%m-%d %H:%M:%S")


def save(api, current_module, kyc_data):
    return api.post(SAVE_URL, {"current_module": current_module, "kyc_data": kyc_data}, format="json")


def submissions(profile) -> dict:
    return {row.module: (row.status, row.data) for row in KycModuleSubmission.objects.filter(profile=profile)}


# --- get_info -----------------------------------------------------------------------------------


def test_a_new_client_has_an_empty_application(client_api, client_user, template):
    response = client_api.get(INFO_URL)

    assert response.status_code == 200
    assert response.json() == {
        "agreement_status": "filling",
        "apply_status": "filling",
        "completed_module": [],
        "identity_status": "filling",
        "kyc_approved_at": None,
        "kyc_data": {},
        "kyc_status": "filling",
        "kyc_way": "",
        "register_datetime": local(client_user.date_joined),
        "kyc_reason": "",
        "kyc_submitted_at": None,
        "module_status": {
            "identity": "filling",
            "contact": "filling",
            "authentication_accessory": "filling",
            "questionnaire": "filling",
            "agreement": "filling",
            "e_verify": "filling",
        },
    }
    assert ClientProfile.objects.filter(user=client_user).count() == 1  # made on first use


def test_info_shows_what_was_saved_with_fresh_links_to_files(client_api, client_user, profile, template):
    data = valid_kyc_data(client_user)
    assert save(client_api, "identity", {"identity": data["identity"]}).status_code == 200
    assert (
        save(
            client_api, "authentication_accessory", {"authentication_accessory": data["authentication_accessory"]}
        ).status_code
        == 200
    )

    body = client_api.get(INFO_URL).json()

    document = StoredFile.objects.get(owner=client_user)
    link = body["kyc_data"]["authentication_accessory"]["id_front"]
    assert stored_file_from_url(url=link, owner=client_user) == document  # signed now, so it is fresh
    assert body["completed_module"] == ["identity", "authentication_accessory"]
    assert body["kyc_data"] == {
        "identity": {
            "first_name": "Ada",
            "birth_date": "1990-05-17",
            "nationality": "SG",
            "id_type": "passport",
            "note": "",
        },
        "authentication_accessory": {"id_front": link, "id_back": None},
    }
    assert body["identity_status"] == "filling"
    assert body["module_status"]["identity"] == "filling"


def test_a_client_never_sees_another_clients_data(api, client_user, profile, template):
    client_b = UserFactory(role=User.Role.CLIENT)
    save(api.login_as(client_user), "identity", {"identity": valid_kyc_data(client_user)["identity"]})

    body = api.login_as(client_b).get(INFO_URL).json()

    assert body["kyc_data"] == {}
    assert body["completed_module"] == []


def test_staff_have_no_client_profile_and_anonymous_users_must_log_in(api, staff, template):
    staff_response = api.login_as(staff).get(INFO_URL)
    api.credentials()
    anonymous = api.get(INFO_URL)

    assert staff_response.status_code == 403
    assert staff_response.json()["code"] == "not_a_portal_user"
    assert anonymous.status_code == 401
    assert not ClientProfile.objects.exists()


# --- get_registration_template ----------------------------------------------------------------


def test_the_template_comes_localized_with_every_module(client_api, template, questionnaire):
    response = client_api.get(TEMPLATE_URL)

    assert response.status_code == 200
    body = response.json()
    q1, q2, q3 = questionnaire.questions.order_by("position")
    assert body["id"] == template.pk
    assert body["name"] == "Standard"
    assert body["modules"] == [
        "identity",
        "contact",
        "authentication_accessory",
        "questionnaire",
        "agreement",
        "e_verify",
    ]
    assert body["apply_status"] == "filling"
    assert body["remark"] == "Fill in truthfully"
    assert body["identity"] == {
        "module": "identity",
        "enabled": True,
        "required": True,
        "title": "Identity",
        "description": "As on your ID",
        "status": "filling",
        "reason": "",
        "questionnaire": None,
        "fields": [
            {
                "name": "first_name",
                "type": "text",
                "label": "First name",
                "help": "",
                "required": True,
                "options": [],
                "max_length": 20,
            },
            {
                "name": "birth_date",
                "type": "date",
                "label": "Date of birth",
                "help": "",
                "required": True,
                "options": [],
                "max_length": None,
            },
            {
                "name": "nationality",
                "type": "country",
                "label": "Nationality",
                "help": "",
                "required": True,
                "options": [],
                "max_length": None,
            },
            {
                "name": "id_type",
                "type": "select",
                "label": "ID type",
                "help": "",
                "required": True,
                "options": [
                    {"value": "passport", "label": "Passport"},
                    {"value": "national_id", "label": "National ID"},
                ],
                "max_length": None,
            },
            {
                "name": "note",
                "type": "text",
                "label": "Note",
                "help": "Optional",
                "required": False,
                "options": [],
                "max_length": 255,
            },
        ],
    }
    assert [module["module"] for module in body["kyc"]["modules"]] == [
        "contact",
        "authentication_accessory",
        "questionnaire",
    ]
    questionnaire_module = body["kyc"]["modules"][2]
    assert questionnaire_module["title"] == "Questionnaire"
    assert questionnaire_module["fields"] == []
    assert questionnaire_module["questionnaire"] == {
        "id": questionnaire.pk,
        "name": "Trading experience",
        "description": "About you",
        "questions": [
            {
                "id": q1.pk,
                "text": "Experience",
                "kind": "single",
                "required": True,
                "max_length": 500,
                "options": [{"id": 1, "label": "A"}, {"id": 2, "label": "B"}],
            },
            {
                "id": q2.pk,
                "text": "Products",
                "kind": "multiple",
                "required": True,
                "max_length": 500,
                "options": [{"id": 1, "label": "X"}, {"id": 2, "label": "Y"}, {"id": 3, "label": "Z"}],
            },
            {"id": q3.pk, "text": "Anything else", "kind": "text", "required": False, "max_length": 20, "options": []},
        ],
    }
    assert body["agreement"] == {
        "module": "agreement",
        "enabled": True,
        "required": True,
        "title": "Agreement",
        "description": "",
        "status": "filling",
        "reason": "",
        "questionnaire": None,
        "fields": [
            {
                "name": "client_agreement",
                "type": "checkbox",
                "label": "Client agreement",
                "help": "",
                "required": True,
                "options": [],
                "max_length": None,
            }
        ],
        "documents": [
            {
                "key": "client_agreement",
                "title": "Client agreement",
                "content": "The agreement",
                "url": "https://broker.example/en/agreement",
            }
        ],
    }
    assert body["e_verify"] == {
        "module": "e_verify",
        "enabled": True,
        "required": False,
        "title": "Electronic verification",
        "description": "",
        "status": "filling",
        "reason": "",
        "questionnaire": None,
        "fields": [],
        "provider": "simulated",
        "approves_kyc": True,
        "attempts_left": 3,
    }


def test_the_template_speaks_the_requested_language(client_api, template):
    body = client_api.get(TEMPLATE_URL, HTTP_X_LANGUAGE="zh-CN").json()

    assert body["remark"] == "请如实填写"
    assert body["identity"]["title"] == "身份信息"
    assert body["identity"]["fields"][3]["options"][0] == {"value": "passport", "label": "护照"}
    assert body["agreement"]["documents"][0]["url"] == "https://broker.example/zh/agreement"


def test_modules_the_template_lacks_are_shown_disabled(client_api, country):
    kyc_template()  # no questionnaire, no e_verify

    body = client_api.get(TEMPLATE_URL).json()

    assert body["e_verify"]["enabled"] is False
    assert body["e_verify"]["required"] is False
    assert body["kyc"]["modules"][-1]["module"] == "authentication_accessory"


def test_a_client_of_a_country_with_its_own_template_gets_it(client_api, client_user, template):
    france = CountryFactory(code="FR")
    kyc_template(name="France", is_default=False, country=france)
    client_user.country = france
    client_user.save()

    assert client_api.get(TEMPLATE_URL).json()["name"] == "France"


def test_without_any_template_the_answer_is_404(client_api, db):
    response = client_api.get(TEMPLATE_URL)

    assert response.status_code == 404
    assert response.json()["code"] == "registration_template_not_found"


def test_get_info_reads_the_template_from_the_cache(client_api, client_user, profile, template, questionnaire):
    save(client_api, "identity", {"identity": valid_kyc_data(client_user)["identity"]})
    client_api.get(INFO_URL)  # fills the caches

    with CaptureQueriesContext(connection) as captured:
        response = client_api.get(INFO_URL)

    assert response.status_code == 200
    assert response.json()["completed_module"] == ["identity"]
    # the token with its user, the profile, the submissions: nothing of the template
    assert len(captured) == 3, [query["sql"][:80] for query in captured]


def questions_shown(body: dict) -> list[dict]:
    section = next(row for row in body["kyc"]["modules"] if row["module"] == "questionnaire")
    return section["questionnaire"]["questions"]


@pytest.mark.parametrize("change", ["template", "module", "field", "agreement", "question", "delete module"])
def test_changing_the_template_forgets_the_cached_one(client_api, template, questionnaire, change):
    assert client_api.get(TEMPLATE_URL).json()["remark"] == "Fill in truthfully"  # cached now
    module = template.modules.get(module=KycModule.IDENTITY)
    if change == "template":
        template.remark_i18n = {"en-US": "Changed"}
        template.save()
    elif change == "module":
        module.position = 99
        module.save()
    elif change == "field":
        field = module.fields.get(name="first_name")
        field.name = "given_name"
        field.save()
    elif change == "agreement":
        agreement = template.agreements.first()
        agreement.delete()
    elif change == "question":
        question = questionnaire.questions.order_by("position").first()
        question.position = 99
        question.save()
    else:
        module.delete()

    body = client_api.get(TEMPLATE_URL).json()

    fresh = {
        "template": lambda: body["remark"] == "Changed",
        "module": lambda: body["modules"][-1] == "identity",
        "field": lambda: "given_name" in [row["name"] for row in body["identity"]["fields"]],
        "agreement": lambda: body["agreement"]["documents"] == [],
        "question": lambda: questions_shown(body)[-1]["id"] == question.pk,
        "delete module": lambda: "identity" not in body["modules"],
    }[change]
    assert fresh(), body


# --- save_kyc_data --------------------------------------------------------------------------------


def test_saving_a_module_keeps_it_filling_and_binds_the_template(client_api, client_user, profile, template):
    response = save(
        client_api, "identity", {"identity": {**valid_kyc_data(client_user)["identity"], "first_name": " Ada "}}
    )

    assert response.status_code == 200
    assert response.json() == {"kyc_status": "filling", "apply_status": "filling"}
    assert submissions(profile) == {
        "identity": (
            "filling",
            {"first_name": "Ada", "birth_date": "1990-05-17", "nationality": "SG", "id_type": "passport", "note": ""},
        )
    }
    profile.refresh_from_db()
    assert profile.registration_template == template
    assert AuditEntry.objects.get(action="kyc.saved").data == {"modules": ["identity"]}


def test_saving_again_replaces_the_module(client_api, client_user, profile, template):
    identity = valid_kyc_data(client_user)["identity"]
    save(client_api, "identity", {"identity": identity})

    save(client_api, "identity", {"identity": {**identity, "id_type": "national_id", "note": "hi"}})

    assert submissions(profile)["identity"][1]["id_type"] == "national_id"
    assert submissions(profile)["identity"][1]["note"] == "hi"


def test_several_modules_can_be_saved_at_once(client_api, client_user, profile, template):
    data = valid_kyc_data(client_user)

    response = save(client_api, "contact", {"contact": data["contact"], "agreement": data["agreement"]})

    assert response.status_code == 200
    assert submissions(profile) == {
        "contact": ("filling", {"phone": "+65 6123 4567", "email": ""}),
        "agreement": ("filling", {"client_agreement": True}),
    }


def test_a_file_may_be_given_by_the_link_we_gave(client_api, client_user, profile, template):
    document = StoredFileFactory(owner=client_user, purpose=StoredFile.Purpose.KYC_DOCUMENT)

    response = save(
        client_api,
        "authentication_accessory",
        {"authentication_accessory": {"id_front": private_url(stored_file=document), "id_back": document.pk}},
    )

    assert response.status_code == 200
    assert submissions(profile)["authentication_accessory"][1] == {"id_front": document.pk, "id_back": document.pk}


IDENTITY = {"first_name": "Ada", "birth_date": "1990-05-17", "nationality": "SG", "id_type": "passport"}


@pytest.mark.parametrize(
    ("current_module", "kyc_data", "fields"),
    [
        (
            "identity",
            {"identity": {}},
            {
                "kyc_data.identity.first_name": ["This field is required."],
                "kyc_data.identity.birth_date": ["This field is required."],
                "kyc_data.identity.nationality": ["This field is required."],
                "kyc_data.identity.id_type": ["This field is required."],
            },
        ),
        (
            "identity",
            {"identity": {**IDENTITY, "first_name": "x" * 21}},
            {"kyc_data.identity.first_name": ["At most 20 characters."]},
        ),
        ("identity", {"identity": {**IDENTITY, "first_name": 7}}, {"kyc_data.identity.first_name": ["Enter text."]}),
        (
            "identity",
            {"identity": {**IDENTITY, "birth_date": "17/05/1990"}},
            {"kyc_data.identity.birth_date": ["Enter a date as YYYY-MM-DD."]},
        ),
        (
            "identity",
            {"identity": {**IDENTITY, "birth_date": "1990-02-30"}},
            {"kyc_data.identity.birth_date": ["Enter a date as YYYY-MM-DD."]},
        ),
        (
            "identity",
            {"identity": {**IDENTITY, "id_type": "visa"}},
            {"kyc_data.identity.id_type": ["Choose one of: passport, national_id."]},
        ),
        (
            "identity",
            {"identity": {**IDENTITY, "nationality": "XX"}},
            {
                "kyc_data.identity.nationality": [
                    "Choose a country by its two-letter code (public.settings.list_countries)."
                ]
            },
        ),
        (
            "identity",
            {"identity": {**IDENTITY, "shoe_size": "42"}},
            {"kyc_data.identity.shoe_size": ["Unknown field."]},
        ),
        (
            "contact",
            {"contact": {"phone": "call me"}},
            {
                "kyc_data.contact.phone": [
                    "Enter a phone number: digits, optionally with a leading + and spaces or dashes."
                ]
            },
        ),
        (
            "contact",
            {"contact": {"phone": "+65 1234 5678", "email": "nope"}},
            {"kyc_data.contact.email": ["Enter a valid e-mail address."]},
        ),
        (
            "agreement",
            {"agreement": {"client_agreement": False}},
            {"kyc_data.agreement.client_agreement": ["This must be accepted."]},
        ),
        (
            "agreement",
            {"agreement": {"client_agreement": "yes"}},
            {"kyc_data.agreement.client_agreement": ["Send true or false."]},
        ),
        (
            "authentication_accessory",
            {"authentication_accessory": {"id_front": 999999}},
            {
                "kyc_data.authentication_accessory.id_front": [
                    "File not found: upload it (public.storage.upload_file) and send its url or id."
                ]
            },
        ),
        (
            "authentication_accessory",
            {"authentication_accessory": {"id_front": "https://evil.example/x.png"}},
            {
                "kyc_data.authentication_accessory.id_front": [
                    "File not found: upload it (public.storage.upload_file) and send its url or id."
                ]
            },
        ),
        (
            "authentication_accessory",
            {"authentication_accessory": {"id_front": [1]}},
            {"kyc_data.authentication_accessory.id_front": ["Send the file's url or id."]},
        ),
        (
            "family",
            {"family": {"spouse": "x"}},
            {"kyc_data.family": ["Your registration template has no such module."]},
        ),
        (
            "e_verify",
            {"e_verify": {"ok": True}},
            {
                "kyc_data.e_verify": [
                    "This module is completed by electronic verification (client.e_verify.create_session)."
                ]
            },
        ),
        ("identity", {}, {"kyc_data.identity": ["Give the data of the current module."]}),
        ("identity", {"identity": {**IDENTITY}, "nonsense": {}}, {"kyc_data.nonsense": ["Unknown module."]}),
        (
            "identity",
            {"identity": ["not", "an", "object"]},
            {"kyc_data.identity": ['Expected a dictionary of items but got type "list".']},
        ),
        ("identity", "text", {"kyc_data": ['Expected a dictionary of items but got type "str".']}),
        ("everything", {"identity": IDENTITY}, {"current_module": ['"everything" is not a valid choice.']}),
        (
            "questionnaire",
            {"questionnaire": {"questionnaire_id": 999, "answers": []}},
            {"kyc_data.questionnaire.questionnaire_id": ["Answer your registration template's questionnaire."]},
        ),
    ],
)
def test_bad_data_is_refused_field_by_field_and_nothing_is_saved(
    client_api, profile, template, current_module, kyc_data, fields
):
    response = save(client_api, current_module, kyc_data)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Some fields are missing or invalid.",
        "fields": fields,
    }
    assert not KycModuleSubmission.objects.exists()
    assert not AuditEntry.objects.filter(action="kyc.saved").exists()


def test_missing_body_fields_are_refused(client_api, template):
    response = client_api.post(SAVE_URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"current_module", "kyc_data"}


def test_someone_elses_file_is_a_field_error(client_api, profile, template):
    strangers = StoredFileFactory(owner=UserFactory())

    by_id = save(client_api, "authentication_accessory", {"authentication_accessory": {"id_front": strangers.pk}})
    by_link = save(
        client_api,
        "authentication_accessory",
        {"authentication_accessory": {"id_front": private_url(stored_file=strangers)}},
    )

    for response in (by_id, by_link):
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "kyc_data.authentication_accessory.id_front": [
                "File not found: upload it (public.storage.upload_file) and send its url or id."
            ]
        }
    assert not KycModuleSubmission.objects.exists()


def test_a_file_uploaded_for_another_purpose_is_refused(client_api, client_user, template):
    receipt = StoredFileFactory(owner=client_user, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT)

    response = save(client_api, "authentication_accessory", {"authentication_accessory": {"id_front": receipt.pk}})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "kyc_data.authentication_accessory.id_front": ["Upload this file with the purpose kyc_document."]
    }


def test_the_questionnaire_module_can_be_answered_through_save_kyc_data(client_api, profile, template, questionnaire):
    response = save(
        client_api,
        "questionnaire",
        {"questionnaire": {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}},
    )

    assert response.status_code == 200
    status, data = submissions(profile)["questionnaire"]
    record = profile.questionnaire_answers.get()
    assert (status, data) == ("filling", {"questionnaire_id": questionnaire.pk, "record_id": record.pk, "score": 6})


def test_questionnaire_errors_carry_their_path(client_api, profile, template, questionnaire):
    q1 = questionnaire.questions.order_by("position").first()

    response = save(
        client_api, "questionnaire", {"questionnaire": {"answers": [{"question_id": q1.pk, "option_ids": [9]}]}}
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "kyc_data.questionnaire.answers.0.option_ids": ["Unknown options: 9."],
        "kyc_data.questionnaire.answers": [
            f"Answer the required questions: {questionnaire.questions.order_by('position')[1].pk}."
        ],
    }


# --- Sending the application ------------------------------------------------------------------------


def test_sending_an_incomplete_application_is_refused_listing_what_is_missing(
    client_api, client_user, profile, template
):
    save(client_api, "identity", {"identity": valid_kyc_data(client_user)["identity"]})

    response = save(client_api, "all", {})

    assert response.status_code == 409
    assert response.json() == {
        "code": "kyc_incomplete",
        "message": "Fill in every required module first: Contact, Supporting documents, Questionnaire, Agreement.",
        "fields": {},
        "missing_modules": ["contact", "authentication_accessory", "questionnaire", "agreement"],
    }
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.FILLING
    assert submissions(profile)["identity"][0] == "filling"


def test_all_saves_what_it_is_given_and_sends_the_application(
    client_api, client_user, profile, template, questionnaire
):
    data = valid_kyc_data(client_user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}

    response = save(client_api, "all", data)

    assert response.status_code == 200
    assert response.json() == {"kyc_status": "pending", "apply_status": "pending"}
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.PENDING
    assert profile.kyc_submitted_at is not None
    assert {module: status for module, (status, _data) in submissions(profile).items()} == {
        "identity": "pending",
        "contact": "pending",
        "authentication_accessory": "pending",
        "questionnaire": "pending",
        "agreement": "pending",
    }
    assert AuditEntry.objects.filter(action="kyc.submitted", actor=client_user).count() == 1
    info = client_api.get(INFO_URL).json()
    assert (info["kyc_status"], info["apply_status"], info["identity_status"], info["agreement_status"]) == (
        "pending",
        "pending",
        "pending",
        "pending",
    )
    assert info["kyc_submitted_at"] == local(profile.kyc_submitted_at)


@pytest.mark.parametrize("current_module", ["identity", "all"])
def test_a_sent_application_cannot_be_changed(
    client_api, client_user, profile, template, questionnaire, current_module
):
    data = valid_kyc_data(client_user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    save(client_api, "all", data)
    before = submissions(profile)

    response = save(client_api, current_module, {"identity": {**data["identity"], "first_name": "Eve"}})

    assert response.status_code == 409
    assert response.json() == {
        "code": "kyc_not_editable",
        "message": "Your application is under review; it cannot be changed now.",
        "fields": {},
    }
    assert submissions(profile) == before


def test_data_that_no_longer_fits_the_template_is_refused_when_sent(
    client_api, client_user, profile, template, questionnaire
):
    data = valid_kyc_data(client_user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    save(client_api, "identity", data)
    identity = RegistrationModule.objects.get(template=template, module=KycModule.IDENTITY)
    KycField.objects.create(module=identity, name="middle_name", kind="text", label_i18n={"en-US": "Middle name"})

    response = save(client_api, "all", {})

    assert response.status_code == 400
    assert response.json()["fields"] == {"kyc_data.identity.middle_name": ["This field is required."]}
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.FILLING


def test_the_profile_is_made_for_users_without_one(client_api, client_user, template):
    assert not ClientProfile.objects.filter(user=client_user).exists()

    save(client_api, "identity", {"identity": valid_kyc_data(client_user)["identity"]})

    assert client_profile_of(user=client_user).kyc_modules.count() == 1
