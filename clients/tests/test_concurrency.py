"""Two requests at once: the profile lock lets one through and refuses the other (real threads)."""

import threading

import pytest
from django.db import connections

from clients.models import EVerifySession, KycStatus
from clients.selectors import client_profile_of
from clients.services import e_verify_session_create, kyc_approve, kyc_reject, kyc_submit
from clients.tests.factories import answers_for, kyc_template, questionnaire_with_questions, valid_kyc_data
from crm.audit.models import AuditEntry
from crm.configuration.tests.factories import CountryFactory
from crm.errors import ApplicationError
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls) -> list:
    """Run the calls at the same moment in threads; each one's result or the error it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ApplicationError as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def setup():
    CountryFactory(code="SG")
    questionnaire = questionnaire_with_questions()
    kyc_template(questionnaire=questionnaire, e_verify=True)
    user = UserFactory(role=User.Role.CLIENT)
    staff = UserFactory(role=User.Role.STAFF)
    return client_profile_of(user=user), staff, questionnaire


def test_two_reviewers_deciding_at_once_make_one_decision(setup):
    profile, staff, questionnaire = setup
    data = valid_kyc_data(profile.user)
    data["questionnaire"] = {"questionnaire_id": questionnaire.pk, "answers": answers_for(questionnaire)}
    kyc_submit(profile=profile, kyc_data=data)

    results = race(
        lambda: kyc_approve(profile=profile, by=staff),
        lambda: kyc_reject(profile=profile, by=staff, reason="Blurred."),
    )

    refused = [result for result in results if isinstance(result, ApplicationError)]
    assert [error.code for error in refused] == ["kyc_not_pending"]
    profile.refresh_from_db()
    assert profile.kyc_status in (KycStatus.APPROVED, KycStatus.DISAPPROVED)
    assert AuditEntry.objects.filter(action__in=["kyc.approved", "kyc.disapproved"]).count() == 1


def test_two_sessions_asked_for_at_once_open_one(setup):
    profile, _staff, _questionnaire = setup

    def create():
        return e_verify_session_create(
            profile=profile, success_url="https://a.example/", failed_url="https://a.example/"
        )

    results = race(create, create)

    assert sorted(type(result).__name__ for result in results) == ["Conflict", "EVerifySession"]
    assert EVerifySession.objects.count() == 1
