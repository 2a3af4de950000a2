"""The IB network's back office: promote, move, approve/reject applications, reassign, add rebate accounts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.trading.tests.factories import TradingAccountFactory, client_user
from crm.audit.models import AuditEntry
from crm.users.models import User
from crm.users.tests.factories import UserFactory
from ib.models import ClientAttribution, IbAncestry, IbApplication, IbProfile, RebateAccount
from ib.services import ib_application_submit, ib_promote
from ib.tests.factories import RebatePlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    staff = UserFactory(role=User.Role.STAFF, is_superuser=True, language="en-US")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return staff


def promote(parent=None) -> IbProfile:
    return ib_promote(user_id=client_user().pk, parent_id=parent.pk if parent else None, plan_id=None, promoted_by=None)


def test_staff_promote_a_client_and_see_the_tree(client, staff):
    master = promote()
    plan = RebatePlanFactory()
    user = client_user()
    add_url = reverse("admin:ib_ibprofile_add")
    assert client.get(add_url).status_code == 200

    response = client.post(add_url, {"user": user.pk, "parent": master.pk, "plan": plan.pk})

    assert response.status_code == 302
    profile = IbProfile.objects.get(user=user)
    assert (profile.parent, profile.plan, profile.created_by) == (master, plan, staff)
    page = client.get(reverse("admin:ib_ibprofile_change", args=[master.pk])).content.decode()
    assert str(user) in page and "Move in the tree" in page
    assert client.get(reverse("admin:ib_ibprofile_changelist")).status_code == 200


def test_a_refused_promotion_shows_on_the_form(client, staff):
    ib = promote()

    response = client.post(reverse("admin:ib_ibprofile_add"), {"user": ib.user_id})

    assert response.status_code == 200
    assert "already an IB" in response.content.decode()


def test_staff_move_an_ib_and_a_cycle_is_shown_on_the_form(client, staff):
    a = promote()
    b = promote(a)
    x = promote()
    url = reverse("admin:ib_ibprofile_move", args=[a.pk])

    refused = client.post(url, {"parent": b.pk})
    assert refused.status_code == 200
    assert "Choose an IB outside this IB" in refused.content.decode()

    assert client.post(url, {"parent": x.pk}).status_code == 302
    assert set(IbAncestry.objects.filter(ib=b).values_list("ancestor_id", "depth")) == {(b.pk, 0), (a.pk, 1), (x.pk, 2)}


def test_staff_approve_an_application_under_the_referring_ib(client, staff):
    plan = RebatePlanFactory()
    referrer = promote()
    referrer.plan = plan
    referrer.save()
    applicant = client_user()
    ClientAttribution.objects.create(client=applicant, ib=referrer, effective_from=timezone.now(), source="invite_code")
    application = ib_application_submit(user=applicant, message="School")
    url = reverse("admin:ib_ibapplication_approve", args=[application.pk])

    page = client.get(url).content.decode()
    assert f'value="{referrer.pk}"' in page
    response = client.post(url, {"parent": referrer.pk, "plan": plan.pk})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == IbApplication.Status.APPROVED
    assert IbProfile.objects.get(user=applicant).parent == referrer


def test_staff_reject_an_application_with_a_reason(client, staff):
    application = ib_application_submit(user=client_user(), message="")
    url = reverse("admin:ib_ibapplication_reject", args=[application.pk])

    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Not now"}).status_code == 302

    application.refresh_from_db()
    assert (application.status, application.reason) == (IbApplication.Status.REJECTED, "Not now")


def test_staff_reassign_a_client(client, staff):
    old, new = promote(), promote()
    customer = client_user()
    ClientAttribution.objects.create(
        client=customer, ib=old, effective_from=timezone.now() - timedelta(days=3), source="invite_code"
    )
    when = timezone.localtime() - timedelta(days=1)

    response = client.post(
        reverse("admin:ib_clientattribution_add"),
        {"client": customer.pk, "ib": new.pk, "effective_from": when.strftime("%Y-%m-%d %H:%M:%S"), "reason": "Asked"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ClientAttribution.objects.get(client=customer, effective_to__isnull=True).ib == new
    assert AuditEntry.objects.get(action="ib.client_reassigned").actor == staff


def test_staff_add_a_rebate_account(client, staff):
    ib = promote()
    account = TradingAccountFactory(user=ib.user)

    response = client.post(reverse("admin:ib_rebateaccount_add"), {"ib": ib.pk, "trading_account": account.pk})

    assert response.status_code == 302
    assert RebateAccount.objects.get(ib=ib).is_enabled
    assert client.get(reverse("admin:ib_rebateaccount_changelist")).status_code == 200
