"""client.e_verify.create_session, client.e_verify.get_result, and the simulated provider end to end."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from clients.everify.providers import SimulatedEVerifyProvider
from clients.models import ClientSettings, EVerifySession, KycModuleSubmission, KycStatus, KycWay
from clients.services import kyc_approve
from clients.tests.factories import answers_for, kyc_template, valid_kyc_data
from crm.audit.models import AuditEntry
from crm.inbox.models import Message
from crm.users.models import User
from crm.users.tests.factories import UserFactory

CREATE_URL = "/api/v1/client/e-verify/create-session"
RESULT_URL = "/api/v1/client/e-verify/get-result"
CALLBACK_URL = "/e-verify/callback/simulated/"
SUCCESS = "https://app.example/kyc/done"
FAILED = "https://app.example/kyc/failed"

pytestmark = pytest.mark.django_db


def create(api, success_url=SUCCESS, failed_url=FAILED):
    return api.post(CREATE_URL, {"success_url": success_url, "failed_url": failed_url}, format="json")


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


class FormParser(HTMLParser):
    """The forms of a page: their action, hidden fields and button text."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "fields": {}, "label": ""})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1]["in_button"] = True

    def handle_data(self, data):
        if self.forms and self.forms[-1].pop("in_button", False):
            self.forms[-1]["label"] = data.strip()


def page_forms(client, redirect_url: str) -> list[dict]:
    response = client.get(redirect_url.removeprefix("https://crm.example"))
    assert response.status_code == 200
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def press(client, form: dict):
    return client.post(form["action"], form["fields"])


def report(session: EVerifySession, outcome: str, reason_code: str = "") -> dict:
    return SimulatedEVerifyProvider().signed_report(session=session, outcome=outcome, reason_code=reason_code)


def fill_and_send_rest(api, user, questionnaire, *, send: bool):
    data = valid_kyc_data(user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    response = api.post(
        "/api/v1/client/user/save-kyc-data",
        {"current_module": "all" if send else "identity", "kyc_data": data},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response


# --- create_session ---------------------------------------------------------------------------------


def test_opens_a_session_at_the_provider(client_api, profile, template, time_machine):
    time_machine.move_to(timezone.now(), tick=False)

    response = create(client_api)

    assert response.status_code == 200
    session = EVerifySession.objects.get()
    assert response.json() == {
        "session_id": session.session_id,
        "redirect_url": f"https://crm.example/e-verify/simulated/{session.session_id}/",
        "expire_at": local(timezone.now() + timedelta(minutes=30)),
        "attempt_times": 1,
        "retry_times": 2,
    }
    assert len(session.session_id) >= 32
    assert (session.profile, session.provider, session.status) == (profile, "simulated", "pending")
    assert (session.success_url, session.failed_url) == (SUCCESS, FAILED)
    assert session.external_reference.startswith("sim-")
    assert AuditEntry.objects.get(action="e_verify.session_created").data == {"provider": "simulated", "attempt": 1}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"failed_url", "success_url"}),
        ({"success_url": "not a url", "failed_url": FAILED}, {"success_url"}),
        ({"success_url": SUCCESS, "failed_url": "javascript:alert(1)"}, {"failed_url"}),
        ({"success_url": "ftp://files.example/x", "failed_url": FAILED}, {"success_url"}),
        ({"success_url": SUCCESS, "failed_url": "https://app.example/" + "x" * 2000}, {"failed_url"}),
    ],
)
def test_bad_urls_are_refused(client_api, template, body, fields):
    response = client_api.post(CREATE_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields
    assert not EVerifySession.objects.exists()


def test_one_live_session_at_a_time(client_api, template):
    first = create(client_api).json()

    response = create(client_api)

    assert response.status_code == 409
    assert response.json() == {
        "code": "e_verify_session_active",
        "message": "A verification session is already open; finish it or wait until it expires.",
        "fields": {},
        "session_id": first["session_id"],
    }
    assert EVerifySession.objects.count() == 1


def test_an_expired_session_makes_way_for_a_new_one(client_api, template, time_machine):
    first = create(client_api).json()
    time_machine.move_to(timezone.now() + timedelta(minutes=31))

    response = create(client_api)

    assert response.status_code == 200
    assert response.json()["attempt_times"] == 2
    old = EVerifySession.objects.get(session_id=first["session_id"])
    assert (old.status, old.reason_code) == ("expired", "session_expired")


def test_attempts_run_out(client, client_api, template):
    for _attempt in range(3):
        session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
        assert client.post(CALLBACK_URL, report(session, "declined", "face_mismatch")).status_code == 303

    response = create(client_api)

    assert response.status_code == 409
    assert response.json()["code"] == "e_verify_attempts_exhausted"
    assert EVerifySession.objects.count() == 3


def test_a_template_without_e_verify_offers_none(client_api, country):
    kyc_template()

    response = create(client_api)

    assert response.status_code == 409
    assert response.json()["code"] == "e_verify_not_available"


def test_an_approved_client_or_a_passed_check_needs_no_session(client, client_api, profile, template):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    client.post(CALLBACK_URL, report(session, "approved"))

    passed = create(client_api)
    profile.kyc_status, profile.kyc_way, profile.kyc_approved_at = KycStatus.APPROVED, KycWay.MANUAL, timezone.now()
    profile.save()
    approved = create(client_api)

    assert passed.status_code == approved.status_code == 409
    assert passed.json()["code"] == "e_verify_already_approved"
    assert approved.json()["code"] == "kyc_not_editable"
    assert EVerifySession.objects.count() == 1


# --- get_result ---------------------------------------------------------------------------------------


def test_a_new_session_is_pending(client_api, template):
    session_id = create(client_api).json()["session_id"]
    session = EVerifySession.objects.get()

    response = client_api.get(RESULT_URL, {"session_id": session_id})

    assert response.status_code == 200
    assert response.json() == {
        "status": "pending",
        "attempt_times": 1,
        "retry_times": 2,
        "reason_code": "",
        "reason_msg": "",
        "session_id": session_id,
        "expire_at": local(session.expire_at),
        "completed_at": None,
    }


def test_a_pending_session_past_its_time_reads_expired(client_api, template, time_machine):
    session_id = create(client_api).json()["session_id"]
    time_machine.move_to(timezone.now() + timedelta(hours=1))

    assert client_api.get(RESULT_URL, {"session_id": session_id}).json()["status"] == "expired"
    assert EVerifySession.objects.get().status == "pending"  # a read writes nothing


def test_another_clients_session_is_404(api, client_user, template):
    session_id = create(api.login_as(client_user)).json()["session_id"]
    api.login_as(UserFactory(role=User.Role.CLIENT))

    response = api.get(RESULT_URL, {"session_id": session_id})
    unknown = api.get(RESULT_URL, {"session_id": "nope"})
    missing = api.get(RESULT_URL)

    assert response.status_code == unknown.status_code == 404
    assert response.json() == {
        "code": "e_verify_session_not_found",
        "message": "This verification session does not exist.",
        "fields": {},
    }
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"session_id"}


# --- The simulated provider, end to end ----------------------------------------------------------------


def test_approving_on_the_simulated_page_passes_the_check_once(client, client_api, profile, template):
    created = create(client_api).json()
    forms = page_forms(client, created["redirect_url"])
    assert [form["label"] for form in forms] == [
        "Approve",
        "Decline: The identity document could not be read.",
        "Decline: The face does not match the document's photo.",
    ]
    assert {form["action"] for form in forms} == {CALLBACK_URL}

    response = press(client, forms[0])

    assert response.status_code == 303
    assert response["Location"] == SUCCESS
    result = client_api.get(RESULT_URL, {"session_id": created["session_id"]}).json()
    assert (result["status"], result["reason_code"], result["reason_msg"]) == ("approved", "", "")
    assert result["completed_at"] is not None
    module = KycModuleSubmission.objects.get(profile=profile, module="e_verify")
    session = EVerifySession.objects.get()
    assert (module.status, module.data) == (
        KycStatus.APPROVED,
        {"session_id": session.session_id, "provider": "simulated", "external_reference": session.external_reference},
    )
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.FILLING  # the rest is not filled in yet
    audits = AuditEntry.objects.count()

    again = press(client, forms[0])
    declined_late = press(client, forms[1])

    assert again.status_code == declined_late.status_code == 303
    assert again["Location"] == declined_late["Location"] == SUCCESS
    assert EVerifySession.objects.get().status == "approved"
    assert AuditEntry.objects.count() == audits
    assert (
        "This verification is approved."
        in client.get(created["redirect_url"].removeprefix("https://crm.example")).content.decode()
    )


def test_declining_sends_the_person_back_with_the_reason(client, client_api, profile, template):
    created = create(client_api).json()
    forms = page_forms(client, created["redirect_url"])

    response = press(client, forms[1])

    assert response.status_code == 303
    assert response["Location"] == FAILED
    result = client_api.get(RESULT_URL, {"session_id": created["session_id"]}).json()
    assert (result["status"], result["reason_code"], result["reason_msg"]) == (
        "declined",
        "document_unreadable",
        "The identity document could not be read.",
    )
    module = KycModuleSubmission.objects.get(profile=profile, module="e_verify")
    assert (module.status, module.reason) == (KycStatus.DISAPPROVED, "The identity document could not be read.")
    retry = create(client_api).json()
    assert (retry["attempt_times"], retry["retry_times"]) == (2, 1)


def test_with_the_rest_sent_a_pass_approves_the_application(
    client, client_api, client_user, profile, template, questionnaire, celery_eager, django_capture_on_commit_callbacks
):
    fill_and_send_rest(client_api, client_user, questionnaire, send=True)
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(CALLBACK_URL, report(session, "approved"))

    profile.refresh_from_db()
    assert (profile.kyc_status, profile.kyc_way, profile.reviewed_by) == (KycStatus.APPROVED, KycWay.E_VERIFY, None)
    assert profile.kyc_approved_at is not None
    assert set(KycModuleSubmission.objects.filter(profile=profile).values_list("status", flat=True)) == {"approved"}
    assert AuditEntry.objects.get(action="kyc.approved").data == {"kyc_way": "e_verify"}
    assert Message.objects.get().title_i18n["en-US"] == "Your identity verification is approved"
    assert [message.to for message in mail.outbox] == [[client_user.email]]


def test_a_pass_with_everything_filled_in_sends_and_approves_at_once(
    client, client_api, client_user, profile, template, questionnaire
):
    fill_and_send_rest(client_api, client_user, questionnaire, send=False)
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])

    client.post(CALLBACK_URL, report(session, "approved"))

    profile.refresh_from_db()
    assert (profile.kyc_status, profile.kyc_way) == (KycStatus.APPROVED, KycWay.E_VERIFY)
    assert AuditEntry.objects.get(action="kyc.submitted").actor is None


def test_a_pass_first_approves_the_application_when_it_is_sent(
    client, client_api, client_user, profile, template, questionnaire
):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    client.post(CALLBACK_URL, report(session, "approved"))

    response = fill_and_send_rest(client_api, client_user, questionnaire, send=True)

    assert response.json() == {"kyc_status": "approved", "apply_status": "approved"}
    profile.refresh_from_db()
    assert profile.kyc_way == KycWay.E_VERIFY


def test_without_the_rule_a_pass_leaves_the_decision_to_staff(
    client, client_api, client_user, profile, template, questionnaire
):
    rules = ClientSettings.load()
    rules.e_verify_approves_kyc = False
    rules.save()
    fill_and_send_rest(client_api, client_user, questionnaire, send=True)
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])

    client.post(CALLBACK_URL, report(session, "approved"))

    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.PENDING
    assert KycModuleSubmission.objects.get(profile=profile, module="e_verify").status == KycStatus.APPROVED


def test_a_result_after_the_session_expired_expires_it(client, client_api, template, time_machine):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    fields = report(session, "approved")
    time_machine.move_to(timezone.now() + timedelta(minutes=31))

    response = client.post(CALLBACK_URL, fields)

    assert response.status_code == 303
    assert response["Location"] == FAILED
    session.refresh_from_db()
    assert session.status == "expired"
    assert not KycModuleSubmission.objects.filter(module="e_verify").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda fields: {**fields, "signature": "0" * 64},
        lambda fields: {**fields, "outcome": "approved"},  # a decline turned into a pass
        lambda fields: {key: value for key, value in fields.items() if key != "signature"},
        lambda fields: {**fields, "issued_at": "yesterday"},
    ],
)
def test_forged_results_are_refused_and_change_nothing(client, client_api, template, tamper):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])

    response = client.post(CALLBACK_URL, tamper(report(session, "declined", "face_mismatch")))

    assert response.status_code == 400
    assert response.json()["code"] == "e_verify_callback_invalid"
    session.refresh_from_db()
    assert session.status == "pending"


def test_an_old_report_is_refused(client, client_api, template, time_machine):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    fields = report(session, "approved")
    time_machine.move_to(timezone.now() + timedelta(days=2))

    response = client.post(CALLBACK_URL, fields)

    assert response.status_code == 400
    assert response.json()["message"] == "This verification result is not valid: too old."


def test_unknown_providers_sessions_and_methods(client, client_api, template):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    fields = report(session, "approved")

    assert client.post("/e-verify/callback/sumsub/", fields).status_code == 404
    assert client.get(CALLBACK_URL).status_code == 405
    assert client.get("/e-verify/simulated/unknown/").status_code == 404
    session.session_id, fields_for_unknown = "unknown", None
    fields_for_unknown = report(session, "approved")
    unknown = client.post(CALLBACK_URL, fields_for_unknown)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "e_verify_session_not_found"


def test_a_declined_check_stays_declined_through_review(
    client, client_api, client_user, profile, template, questionnaire, staff
):
    session = EVerifySession.objects.get(session_id=create(client_api).json()["session_id"])
    client.post(CALLBACK_URL, report(session, "declined", "face_mismatch"))
    fill_and_send_rest(client_api, client_user, questionnaire, send=True)  # e_verify is optional here

    kyc_approve(profile=profile, by=staff)

    module = KycModuleSubmission.objects.get(profile=profile, module="e_verify")
    assert module.status == KycStatus.DISAPPROVED
    profile.refresh_from_db()
    assert (profile.kyc_status, profile.kyc_way) == (KycStatus.APPROVED, KycWay.MANUAL)
