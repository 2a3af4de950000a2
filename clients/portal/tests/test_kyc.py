import pytest
from django.urls import reverse

from clients.models import ClientProfile, KycModule, KycModuleSubmission, KycStatus
from clients.selectors import client_profile_of
from clients.services.kyc import kyc_approve, kyc_reject
from crm.files.models import StoredFile
from crm.users.tests.factories import UserFactory

from .data import png_file, registration_template

pytestmark = pytest.mark.django_db

IDENTITY = {"full_name": "Ada Lovelace", "birth_date": "1990-12-10", "id_type": "passport", "nationality": "CN"}


@pytest.fixture(autouse=True)
def template(db):
    return registration_template()


def step_url(module):
    return reverse("portal:kyc_step", args=[module])


def fill_everything(portal):
    assert portal.post(step_url(KycModule.IDENTITY), IDENTITY).status_code == 302
    assert portal.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {"id_front": png_file()}).status_code == 302
    assert portal.post(step_url(KycModule.AGREEMENT), {"client_agreement": "on"}).status_code == 302


def test_overview_lists_the_templates_modules_in_order(portal):
    response = portal.get(reverse("portal:kyc"))

    assert response.status_code == 200
    assert [step["module"] for step in response.context["steps"]] == [
        KycModule.IDENTITY,
        KycModule.AUTHENTICATION_ACCESSORY,
        KycModule.AGREEMENT,
    ]


def test_a_step_renders_the_templates_fields(portal):
    response = portal.get(step_url(KycModule.IDENTITY))

    assert response.status_code == 200
    html = response.content.decode()
    for name in IDENTITY:
        assert f'name="{name}"' in html
    assert "Full name" in html and "Passport" in html and "China" in html


def test_saving_a_step_keeps_the_data_and_goes_to_the_next(portal, client_user):
    response = portal.post(step_url(KycModule.IDENTITY), IDENTITY)

    assert response.status_code == 302
    assert response["Location"] == step_url(KycModule.AUTHENTICATION_ACCESSORY)
    submission = KycModuleSubmission.objects.get(profile__user=client_user, module=KycModule.IDENTITY)
    assert submission.data == IDENTITY
    assert submission.status == KycStatus.FILLING


def test_the_services_errors_are_shown_on_their_fields(portal, client_user):
    response = portal.post(step_url(KycModule.IDENTITY), {**IDENTITY, "full_name": "", "birth_date": "10/12/1990"})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["full_name"] == ["This field is required."]
    assert form.errors["birth_date"] == ["Enter a date as YYYY-MM-DD."]
    assert "id_type" not in form.errors
    assert 'data-testid="field-errors"' in response.content.decode()
    assert not KycModuleSubmission.objects.filter(profile__user=client_user).exists()


def test_a_document_is_stored_privately_and_linked(portal, client_user, private_storage):
    response = portal.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {"id_front": png_file()})

    assert response.status_code == 302
    stored = StoredFile.objects.get(owner=client_user)
    assert stored.purpose == StoredFile.Purpose.KYC_DOCUMENT
    assert stored.content_type == "image/png"
    assert (private_storage / stored.file.name).exists()
    submission = KycModuleSubmission.objects.get(profile__user=client_user, module=KycModule.AUTHENTICATION_ACCESSORY)
    assert submission.data == {"id_front": stored.pk}
    page = portal.get(step_url(KycModule.AUTHENTICATION_ACCESSORY)).content.decode()
    assert 'data-testid="stored-file"' in page and "id-front.png" in page


def test_a_document_of_the_wrong_type_is_refused_on_its_field(portal, client_user):
    fake = png_file("notes.png")
    fake.seek(0)
    fake.write(b"just some text, not an image")
    fake.seek(0)

    response = portal.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {"id_front": fake})

    assert response.status_code == 400
    assert response.context["form"].errors["id_front"] == ["Accepted: JPG, PNG, WEBP, PDF."]
    assert not StoredFile.objects.exists()
    assert not KycModuleSubmission.objects.exists()


def test_a_document_too_large_is_refused(portal, settings):
    settings.UPLOAD_MAX_BYTES = 10

    response = portal.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {"id_front": png_file()})

    assert response.status_code == 400
    [error] = response.context["form"].errors["id_front"]
    assert error.startswith("At most ")
    assert not StoredFile.objects.exists()


def test_the_agreement_must_be_accepted(portal):
    response = portal.post(step_url(KycModule.AGREEMENT), {})

    assert response.status_code == 400
    assert response.context["form"].errors["client_agreement"] == ["This must be accepted."]


def test_submit_refuses_an_incomplete_application(portal, client_user):
    portal.post(step_url(KycModule.IDENTITY), IDENTITY)

    response = portal.post(reverse("portal:kyc_submit"))

    assert response.status_code == 409
    assert response.context["missing"] == [KycModule.AUTHENTICATION_ACCESSORY, KycModule.AGREEMENT]
    assert client_profile_of(user=client_user).kyc_status == KycStatus.FILLING


def test_the_whole_wizard_sends_the_application_for_review(portal, client_user):
    fill_everything(portal)

    response = portal.post(reverse("portal:kyc_submit"))

    assert response.status_code == 302
    profile = ClientProfile.objects.get(user=client_user)
    assert profile.kyc_status == KycStatus.PENDING
    page = portal.get(reverse("portal:kyc")).content.decode()
    assert "Pending review" in page
    # Under review, nothing can be changed.
    response = portal.post(step_url(KycModule.IDENTITY), {**IDENTITY, "full_name": "Someone Else"})
    assert response.status_code == 302
    assert KycModuleSubmission.objects.get(profile=profile, module=KycModule.IDENTITY).data == IDENTITY


def test_a_disapproval_shows_the_reviewers_reason(portal, client_user):
    fill_everything(portal)
    portal.post(reverse("portal:kyc_submit"))
    staff = UserFactory(role="staff")
    kyc_reject(profile=ClientProfile.objects.get(user=client_user), by=staff, reason="The photo is blurred.")

    for url in (reverse("portal:kyc"), reverse("portal:dashboard")):
        page = portal.get(url).content.decode()
        assert "The photo is blurred." in page
        assert "Disapproved" in page


def test_dashboard_shows_an_approved_kyc(portal, client_user):
    fill_everything(portal)
    portal.post(reverse("portal:kyc_submit"))
    kyc_approve(profile=ClientProfile.objects.get(user=client_user), by=UserFactory(role="staff"))

    response = portal.get(reverse("portal:dashboard"))

    assert response.status_code == 200
    assert response.context["kyc"]["status"] == KycStatus.APPROVED


def test_one_client_never_sees_anothers_documents(portal, client_user, other_client_user):
    from django.test import Client

    other = Client()
    other.force_login(other_client_user)
    other.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {"id_front": png_file("their-passport.png")})
    other.post(step_url(KycModule.IDENTITY), {**IDENTITY, "full_name": "Their Name"})

    for module in (KycModule.IDENTITY, KycModule.AUTHENTICATION_ACCESSORY):
        html = portal.get(step_url(module)).content.decode()
        assert "their-passport.png" not in html
        assert "Their Name" not in html
    # Their file's id is not a file of ours.
    theirs = StoredFile.objects.get(owner=other_client_user)
    portal.post(step_url(KycModule.AUTHENTICATION_ACCESSORY), {})
    assert not KycModuleSubmission.objects.filter(
        profile__user=client_user, module=KycModule.AUTHENTICATION_ACCESSORY, data__id_front=theirs.pk
    ).exists()


@pytest.mark.parametrize("name", ["portal:kyc", "portal:kyc_submit", "portal:dashboard"])
def test_anonymous_users_go_to_login(anonymous, name):
    response = anonymous.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_module_is_not_found(portal):
    assert portal.get(step_url("family")).status_code == 404
    assert portal.get(step_url("nonsense")).status_code == 404
