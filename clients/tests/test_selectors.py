"""What other apps ask of clients: profiles, and whether a user may open live or demo accounts."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from clients.models import ClientProfile, ClientSettings, KycStatus, KycWay, LiveAccountRule
from clients.selectors import client_profile_of, demo_account_allowed, live_account_allowed
from crm.errors import ApplicationError
from crm.users.models import User
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def with_status(user, status):
    profile = client_profile_of(user=user)
    profile.kyc_status = status
    if status == KycStatus.APPROVED:
        profile.kyc_way, profile.kyc_approved_at = KycWay.MANUAL, timezone.now()
    profile.save()


def rules(**values):
    row = ClientSettings.load()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()


def test_a_profile_is_made_once_for_users_without_one(client_user):
    first = client_profile_of(user=client_user)
    second = client_profile_of(user=client_user)

    assert first == second
    assert (first.kyc_status, first.invite_code) == (KycStatus.FILLING, "")
    assert ClientProfile.objects.count() == 1


def test_ibs_have_a_profile_and_staff_none(db):
    assert client_profile_of(user=UserFactory(role=User.Role.IB)).pk

    with pytest.raises(ApplicationError) as refusal:
        client_profile_of(user=UserFactory(role=User.Role.STAFF))

    assert (refusal.value.status, refusal.value.code) == (403, "not_a_client")
    assert ClientProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("rule", "allowed"),
    [
        (LiveAccountRule.NONE, {"none": True, "filling": True, "pending": True, "approved": True, "disapproved": True}),
        (
            LiveAccountRule.KYC_SUBMITTED,
            {"none": False, "filling": False, "pending": True, "approved": True, "disapproved": False},
        ),
        (
            LiveAccountRule.KYC_APPROVED,
            {"none": False, "filling": False, "pending": False, "approved": True, "disapproved": False},
        ),
    ],
)
def test_live_accounts_follow_the_companys_kyc_rule(db, rule, allowed):
    rules(live_account_requires=rule)
    users = {"none": UserFactory()}
    for status in KycStatus.values:
        users[status] = UserFactory()
        with_status(users[status], status)

    assert {name: live_account_allowed(user=user) for name, user in users.items()} == allowed
    assert ClientProfile.objects.count() == 4  # asking made no profile


def test_the_default_rule_is_approved_kyc(client_user):
    with_status(client_user, KycStatus.PENDING)
    assert live_account_allowed(user=client_user) is False

    with_status(client_user, KycStatus.APPROVED)
    assert live_account_allowed(user=client_user) is True


def test_disabled_users_and_staff_open_nothing(db):
    rules(live_account_requires=LiveAccountRule.NONE)
    disabled = UserFactory(status=User.Status.DISABLED)
    staff = UserFactory(role=User.Role.STAFF)

    assert [live_account_allowed(user=disabled), demo_account_allowed(user=disabled)] == [False, False]
    assert [live_account_allowed(user=staff), demo_account_allowed(user=staff)] == [False, False]


def test_demo_accounts_can_be_turned_off(client_user):
    assert demo_account_allowed(user=client_user) is True

    rules(demo_accounts_enabled=False)

    assert demo_account_allowed(user=client_user) is False


def test_an_approved_profile_has_a_time_and_a_way(client_user):
    profile = client_profile_of(user=client_user)
    profile.kyc_status = KycStatus.APPROVED

    with pytest.raises(IntegrityError):
        profile.save()
