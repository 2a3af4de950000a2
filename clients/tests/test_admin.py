"""The clients back office: the KYC queue and its decisions, and what staff configure."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from clients.admin.configuration import QuestionForm
from clients.models import (
    ClientProfile,
    ClientSettings,
    EVerifySession,
    KycStatus,
    RegistrationModule,
    RegistrationTemplate,
)
from clients.selectors import client_profile_of
from clients.services import e_verify_session_create, kyc_submit
from clients.tests.factories import answers_for, valid_kyc_data
from crm.audit.models import AuditEntry
from crm.files.models import StoredFile
from crm.inbox.models import Message
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:clients_clientprofile_changelist")


@pytest.fixture
def sent(client_user, profile, template, questionnaire):
    data = valid_kyc_data(client_user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    return kyc_submit(profile=profile, kyc_data=data)


def change_url(profile) -> str:
    return reverse("admin:clients_clientprofile_change", args=[profile.pk])


def emails(queryset) -> list[str]:
    return sorted(profile.user.email for profile in queryset)


def test_the_queue_filters_by_status_and_searches_by_email_or_name(staff_client, sent):
    other = client_profile_of(user=UserFactory(email="bob@example.com", name="Bob Stone"))

    assert staff_client.get(QUEUE).status_code == 200
    assert emails(staff_client.get(QUEUE, {"kyc_status__exact": "pending"}).context["cl"].result_list) == [
        "ada@example.com"
    ]
    assert emails(staff_client.get(QUEUE, {"q": "stone"}).context["cl"].result_list) == ["bob@example.com"]
    assert emails(staff_client.get(QUEUE, {"q": "ada@"}).context["cl"].result_list) == ["ada@example.com"]
    assert other.kyc_status == KycStatus.FILLING


def test_a_profile_shows_its_data_documents_answers_and_history_read_only(staff_client, sent, client_user):
    response = staff_client.get(change_url(sent))

    assert response.status_code == 200
    page = response.content.decode()
    document = StoredFile.objects.get(owner=client_user)
    assert "First name" in page and "Ada" in page and "passport" in page
    assert "https://crm.example/files/" in page and str(document) in page
    assert "Experience" in page and "score" in page
    assert "kyc.submitted" in page
    assert "&lt;" not in page  # the displays are HTML, not escaped text
    assert 'name="_save"' not in page  # nothing to edit by hand
    assert reverse("admin:clients_clientprofile_approve", args=[sent.pk]) in page
    assert reverse("admin:clients_clientprofile_reject", args=[sent.pk]) in page


def test_approving_from_the_profile_page(staff_client, staff, sent, celery_eager, django_capture_on_commit_callbacks):
    url = reverse("admin:clients_clientprofile_approve", args=[sent.pk])
    assert staff_client.get(url).status_code == 200  # asks to confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == change_url(sent)
    sent.refresh_from_db()
    assert (sent.kyc_status, sent.reviewed_by) == (KycStatus.APPROVED, staff)
    assert AuditEntry.objects.get(action="kyc.approved").actor == staff
    assert Message.objects.get().sent_by == staff
    assert [email.to for email in mail.outbox] == [["ada@example.com"]]
    page = staff_client.get(change_url(sent)).content.decode()
    assert reverse("admin:clients_clientprofile_approve", args=[sent.pk]) not in page


def test_disapproving_from_the_profile_page_asks_for_a_reason(
    staff_client, staff, sent, celery_eager, django_capture_on_commit_callbacks
):
    url = reverse("admin:clients_clientprofile_reject", args=[sent.pk])

    without_reason = staff_client.post(url, {"reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"reason": "The address proof is older than 3 months."})

    assert without_reason.status_code == 200
    assert without_reason.context["form"].errors == {"reason": ["This field is required."]}
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.kyc_status, sent.kyc_reason) == (KycStatus.DISAPPROVED, "The address proof is older than 3 months.")
    audit = AuditEntry.objects.get(action="kyc.disapproved")
    assert (audit.actor, audit.reason) == (staff, "The address proof is older than 3 months.")
    assert "older than 3 months" in mail.outbox[0].body


def test_a_decision_on_a_decided_application_is_refused_with_a_warning(staff_client, profile):
    response = staff_client.post(reverse("admin:clients_clientprofile_approve", args=[profile.pk]), follow=True)

    assert response.status_code == 200
    assert "This application is not waiting for review" in response.content.decode()
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.FILLING
    assert not AuditEntry.objects.filter(action="kyc.approved").exists()


def test_bulk_approval_skips_what_is_not_pending(staff_client, staff, sent):
    filling = client_profile_of(user=UserFactory())

    response = staff_client.post(
        QUEUE, {"action": "approve_selected", "_selected_action": [sent.pk, filling.pk]}, follow=True
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 application approved." in page
    assert "This application is not waiting for review" in page
    sent.refresh_from_db()
    filling.refresh_from_db()
    assert (sent.kyc_status, filling.kyc_status) == (KycStatus.APPROVED, KycStatus.FILLING)


def test_bulk_disapproval_goes_through_a_reason_page(staff_client, staff, sent):
    first = staff_client.post(QUEUE, {"action": "reject_selected", "_selected_action": [sent.pk]})

    assert first.status_code == 200
    assert "Reason" in first.content.decode()
    sent.refresh_from_db()
    assert sent.kyc_status == KycStatus.PENDING

    response = staff_client.post(
        QUEUE,
        {"action": "reject_selected", "_selected_action": [sent.pk], "apply": "1", "reason": "Blurred photo."},
        follow=True,
    )

    assert "1 application disapproved." in response.content.decode()
    sent.refresh_from_db()
    assert (sent.kyc_status, sent.kyc_reason) == (KycStatus.DISAPPROVED, "Blurred photo.")


def test_staff_who_may_only_look_cannot_decide(client, sent):
    viewer = UserFactory(role=User.Role.STAFF, language="en-US")
    viewer.user_permissions.add(Permission.objects.get(codename="view_clientprofile"))
    client.force_login(viewer)

    assert client.get(change_url(sent)).status_code == 200
    assert client.post(reverse("admin:clients_clientprofile_approve", args=[sent.pk])).status_code == 403
    assert (
        client.post(reverse("admin:clients_clientprofile_reject", args=[sent.pk]), {"reason": "x"}).status_code == 403
    )
    sent.refresh_from_db()
    assert sent.kyc_status == KycStatus.PENDING


def test_templates_and_their_modules_are_edited_in_the_admin(staff_client, template):
    module = RegistrationModule.objects.get(template=template, module="identity")

    assert staff_client.get(reverse("admin:clients_registrationtemplate_changelist")).status_code == 200
    page = staff_client.get(reverse("admin:clients_registrationtemplate_change", args=[template.pk])).content.decode()
    assert reverse("admin:clients_registrationmodule_change", args=[module.pk]) in page
    module_page = staff_client.get(reverse("admin:clients_registrationmodule_change", args=[module.pk]))
    assert module_page.status_code == 200
    assert "first_name" in module_page.content.decode()
    assert (
        staff_client.get(reverse("admin:clients_questionnaire_change", args=[template.questionnaire_id])).status_code
        == 200
    )


def test_new_question_options_get_ids(questionnaire):
    form = QuestionForm(
        data={
            "position": 9,
            "kind": "single",
            "is_required": "on",
            "max_length": 500,
            "text_i18n": '{"en-US": "Age?"}',
            "options": '[{"id": 4, "label_i18n": {"en-US": "Old"}}, {"label_i18n": {"en-US": "Young"}, "score": 2}]',
        },
        instance=questionnaire.questions.model(questionnaire=questionnaire),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["options"] == [
        {"id": 4, "label_i18n": {"en-US": "Old"}},
        {"id": 5, "label_i18n": {"en-US": "Young"}, "score": 2},
    ]


def test_e_verify_sessions_can_only_be_looked_at(staff_client, profile, template):
    session = e_verify_session_create(
        profile=profile, success_url="https://a.example/", failed_url="https://a.example/"
    )

    assert (
        staff_client.get(reverse("admin:clients_everifysession_changelist"), {"q": session.session_id}).status_code
        == 200
    )
    page = staff_client.get(reverse("admin:clients_everifysession_change", args=[session.pk])).content.decode()
    assert session.session_id in page and 'name="_save"' not in page
    assert EVerifySession.objects.count() == 1


def test_the_client_rules_are_one_audited_row(staff_client, staff):
    url = reverse("admin:clients_clientsettings_changelist")
    assert staff_client.get(url)["Location"] == reverse("admin:clients_clientsettings_add")

    response = staff_client.post(
        reverse("admin:clients_clientsettings_add"),
        {
            "live_account_requires": "kyc_submitted",
            "demo_accounts_enabled": "",
            "e_verify_provider": "simulated",
            "e_verify_approves_kyc": "on",
            "e_verify_session_minutes": 15,
            "e_verify_max_attempts": 2,
        },
    )

    assert response.status_code == 302
    rules = ClientSettings.objects.get()
    assert (rules.live_account_requires, rules.demo_accounts_enabled, rules.e_verify_max_attempts) == (
        "kyc_submitted",
        False,
        2,
    )
    assert AuditEntry.objects.get(action="client_settings.changed").actor == staff
    assert staff_client.get(url)["Location"] == reverse("admin:clients_clientsettings_change", args=[1])
    assert ClientProfile.objects.count() == 0


def template_form(**values) -> dict:
    data = {
        "name": "Asia",
        "is_default": "",
        "country": "",
        "questionnaire": "",
        "remark_i18n": "{}",
        "modules-TOTAL_FORMS": "1",
        "modules-INITIAL_FORMS": "0",
        "modules-0-module": "questionnaire",
        "modules-0-position": "1",
        "modules-0-is_required": "on",
        "modules-0-title_i18n": "{}",
        "modules-0-description_i18n": "{}",
        "agreements-TOTAL_FORMS": "0",
        "agreements-INITIAL_FORMS": "0",
    }
    return {**data, **values}


def test_a_questionnaire_module_needs_the_templates_questionnaire(staff_client, questionnaire):
    url = reverse("admin:clients_registrationtemplate_add")

    refused = staff_client.post(url, template_form())
    accepted = staff_client.post(url, template_form(questionnaire=questionnaire.pk))

    assert refused.status_code == 200
    assert "Choose the template&#x27;s questionnaire" in refused.content.decode()
    assert accepted.status_code == 302
    template = RegistrationTemplate.objects.get(name="Asia")
    assert [row.module for row in template.modules.all()] == ["questionnaire"]
