"""The KYC state machine: sending, approving and disapproving, with the audit trail and the notices."""

import pytest
from django.core import mail
from django.utils import timezone

from clients.models import ClientProfile, KycModuleSubmission, KycStatus, KycWay
from clients.services import kyc_approve, kyc_reject, kyc_submit
from clients.tests.factories import answers_for, valid_kyc_data
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client_user, profile, template, questionnaire):
    """A profile whose complete application is pending."""
    data = valid_kyc_data(client_user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    return kyc_submit(profile=profile, kyc_data=data)


def state(profile: ClientProfile) -> tuple:
    profile.refresh_from_db()
    return (
        profile.kyc_status,
        profile.kyc_way,
        profile.kyc_reason,
        profile.reviewed_by_id,
        sorted(KycModuleSubmission.objects.filter(profile=profile).values_list("module", "status", "reason")),
        AuditEntry.objects.count(),
        Message.objects.count(),
    )


def test_approving_records_who_and_when_and_tells_the_client(
    sent, staff, client_user, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profile = kyc_approve(profile=sent, by=staff)

    profile.refresh_from_db()
    assert (profile.kyc_status, profile.kyc_way, profile.reviewed_by) == (KycStatus.APPROVED, KycWay.MANUAL, staff)
    assert profile.kyc_approved_at == profile.reviewed_at
    assert profile.kyc_approved_at is not None
    assert set(KycModuleSubmission.objects.filter(profile=profile).values_list("status", "reviewed_by")) == {
        ("approved", staff.pk)
    }
    audit = AuditEntry.objects.get(action="kyc.approved")
    assert (audit.actor, audit.target_id, audit.data) == (staff, str(profile.pk), {"kyc_way": "manual"})
    message = Message.objects.get()
    assert (message.sender, message.sent_by, list(message.recipients.all())) == ("Compliance", staff, [client_user])
    assert message.title_i18n == {"zh-CN": "您的身份认证已通过", "en-US": "Your identity verification is approved"}
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [client_user.email]
    assert email.subject == "Your identity verification is approved"
    assert "Hello Ada Lovelace," in email.body
    assert email.alternatives[0][1] == "text/html"


def test_disapproving_keeps_the_reason_and_reopens_the_application(
    sent, staff, client_user, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kyc_reject(profile=sent, by=staff, reason="  The ID photo is blurred.  ")

    profile = ClientProfile.objects.get(pk=sent.pk)
    assert (profile.kyc_status, profile.kyc_reason, profile.reviewed_by) == (
        KycStatus.DISAPPROVED,
        "The ID photo is blurred.",
        staff,
    )
    assert set(KycModuleSubmission.objects.filter(profile=profile).values_list("status", "reason")) == {
        ("disapproved", "The ID photo is blurred.")
    }
    audit = AuditEntry.objects.get(action="kyc.disapproved")
    assert (audit.actor, audit.reason) == (staff, "The ID photo is blurred.")
    assert Message.objects.get().content_i18n["en-US"] == (
        "Your account application was not approved. Reason: The ID photo is blurred.\n"
        "Please correct it and send it again."
    )
    assert "Reason: The ID photo is blurred." in mail.outbox[0].body
    assert profile.is_editable

    kyc_submit(profile=profile)  # corrected and sent again

    profile.refresh_from_db()
    assert (profile.kyc_status, profile.kyc_reason) == (KycStatus.PENDING, "")
    assert set(KycModuleSubmission.objects.filter(profile=profile).values_list("status", flat=True)) == {"pending"}


def test_the_email_goes_in_the_clients_language(
    sent, staff, client_user, celery_eager, django_capture_on_commit_callbacks
):
    client_user.language = "zh-CN"
    client_user.save()

    with django_capture_on_commit_callbacks(execute=True):
        kyc_reject(profile=sent, by=staff, reason="照片模糊")

    assert "照片模糊" in mail.outbox[0].body
    assert 'lang="zh-hans"' in mail.outbox[0].alternatives[0][0]


def test_nothing_is_sent_before_the_decision_commits(sent, staff):
    kyc_approve(profile=sent, by=staff)

    assert mail.outbox == []  # the test's transaction never commits


@pytest.mark.parametrize("status", [KycStatus.FILLING, KycStatus.APPROVED, KycStatus.DISAPPROVED])
def test_only_a_pending_application_can_be_decided(profile, staff, status):
    profile.kyc_status = status
    if status == KycStatus.APPROVED:
        profile.kyc_way, profile.kyc_approved_at = KycWay.MANUAL, timezone.now()
    profile.save()
    before = state(profile)

    for decide in (
        lambda: kyc_approve(profile=profile, by=staff),
        lambda: kyc_reject(profile=profile, by=staff, reason="No."),
    ):
        with pytest.raises(ApplicationError) as refusal:
            decide()
        assert (refusal.value.status, refusal.value.code) == (409, "kyc_not_pending")

    assert state(profile) == before


def test_a_disapproval_needs_a_reason(sent, staff):
    before = state(sent)

    with pytest.raises(ApplicationError) as refusal:
        kyc_reject(profile=sent, by=staff, reason="   ")

    assert (refusal.value.status, refusal.value.code, refusal.value.fields) == (
        400,
        "invalid_input",
        {"reason": ["Tell the client why."]},
    )
    assert state(sent) == before


@pytest.mark.parametrize("status", [KycStatus.PENDING, KycStatus.APPROVED])
def test_an_application_under_review_or_approved_cannot_be_sent_again(sent, staff, status):
    if status == KycStatus.APPROVED:
        kyc_approve(profile=sent, by=staff)
    before = state(sent)

    with pytest.raises(ApplicationError) as refusal:
        kyc_submit(profile=sent)

    assert (refusal.value.status, refusal.value.code) == (409, "kyc_not_editable")
    assert state(sent) == before
