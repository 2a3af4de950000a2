"""Becoming an IB and the tree: promote, move (closure rows exact), cycles refused, applications."""

import threading

import pytest
from django.db import close_old_connections

from clients.trading.tests.factories import client_user
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.users.models import User
from crm.users.tests.factories import StaffFactory
from ib.models import IbAncestry, IbApplication, IbProfile
from ib.services import (
    ib_application_approve,
    ib_application_reject,
    ib_application_submit,
    ib_move,
    ib_plan_set,
    ib_promote,
)
from ib.services.network import REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
from ib.tests.factories import RebatePlanFactory

pytestmark = pytest.mark.django_db


def ancestry() -> set[tuple[int, int, int]]:
    return set(IbAncestry.objects.values_list("ib_id", "ancestor_id", "depth"))


def promote(parent=None, **kwargs) -> IbProfile:
    return ib_promote(
        user_id=client_user().pk, parent_id=parent.pk if parent else None, plan_id=None, promoted_by=None, **kwargs
    )


def test_promoting_a_client_makes_an_ib_with_a_code_and_its_closure_rows():
    staff = StaffFactory()
    plan = RebatePlanFactory()
    master = promote()
    user = client_user()

    sub = ib_promote(user_id=user.pk, parent_id=master.pk, plan_id=plan.pk, promoted_by=staff)

    user.refresh_from_db()
    assert user.role == User.Role.IB
    assert (sub.parent_id, sub.plan_id, sub.created_by_id) == (master.pk, plan.pk, staff.pk)
    assert len(sub.referral_code) == REFERRAL_CODE_LENGTH
    assert set(sub.referral_code) <= set(REFERRAL_CODE_ALPHABET)
    assert sub.referral_code != master.referral_code
    assert ancestry() == {(master.pk, master.pk, 0), (sub.pk, sub.pk, 0), (sub.pk, master.pk, 1)}
    entry = AuditEntry.objects.get(action="ib.promoted", target_id=str(sub.pk))
    assert entry.actor == staff
    assert entry.data == {
        "user_id": user.pk,
        "parent_id": master.pk,
        "plan_id": plan.pk,
        "referral_code": sub.referral_code,
    }


def test_a_code_collision_draws_again(monkeypatch):
    first = promote()
    codes = iter([first.referral_code, "ZZZZ2345"])
    monkeypatch.setattr("ib.services.network.referral_code_generate", lambda: next(codes))

    second = promote()

    assert second.referral_code == "ZZZZ2345"


def test_promotion_is_refused_for_ibs_staff_and_unknown_parents():
    ib = promote()
    staff = StaffFactory()
    client = client_user()
    before = (ancestry(), IbProfile.objects.count(), AuditEntry.objects.count())

    for user_id, parent_id, code in [
        (ib.user_id, None, "already_an_ib"),
        (staff.pk, None, "staff_cannot_be_ib"),
        (client.pk, 10**9, "ib_not_found"),
        (10**9, None, "user_not_found"),
    ]:
        with pytest.raises(ApplicationError) as refusal:
            ib_promote(user_id=user_id, parent_id=parent_id, plan_id=None, promoted_by=staff)
        assert refusal.value.code == code

    assert (ancestry(), IbProfile.objects.count(), AuditEntry.objects.count()) == before
    client.refresh_from_db()
    assert client.role == User.Role.CLIENT


def test_moving_an_ib_moves_its_whole_subtree_and_rebuilds_the_closure_rows():
    # a ─ b ─ c ─ d        x ─ y
    a = promote()
    b = promote(a)
    c = promote(b)
    d = promote(c)
    x = promote()
    y = promote(x)

    ib_move(ib_id=c.pk, parent_id=y.pk, moved_by=None)

    # a ─ b        x ─ y ─ c ─ d
    assert ancestry() == {
        (a.pk, a.pk, 0),
        (b.pk, b.pk, 0),
        (b.pk, a.pk, 1),
        (x.pk, x.pk, 0),
        (y.pk, y.pk, 0),
        (y.pk, x.pk, 1),
        (c.pk, c.pk, 0),
        (c.pk, y.pk, 1),
        (c.pk, x.pk, 2),
        (d.pk, d.pk, 0),
        (d.pk, c.pk, 1),
        (d.pk, y.pk, 2),
        (d.pk, x.pk, 3),
    }
    c.refresh_from_db()
    assert c.parent_id == y.pk
    entry = AuditEntry.objects.get(action="ib.moved")
    assert entry.data == {"from_parent_id": b.pk, "to_parent_id": y.pk}


def test_moving_an_ib_to_the_top_keeps_only_its_subtree_rows():
    a = promote()
    b = promote(a)
    c = promote(b)

    ib_move(ib_id=b.pk, parent_id=None, moved_by=None)

    assert ancestry() == {(a.pk, a.pk, 0), (b.pk, b.pk, 0), (c.pk, c.pk, 0), (c.pk, b.pk, 1)}


def test_a_move_under_itself_or_its_downline_is_refused_and_changes_nothing():
    a = promote()
    b = promote(a)
    c = promote(b)
    before = ancestry()

    for parent in (a, b, c):
        with pytest.raises(ApplicationError) as refusal:
            ib_move(ib_id=a.pk, parent_id=parent.pk, moved_by=None)
        assert refusal.value.code == "ib_move_cycle"

    assert ancestry() == before
    assert not AuditEntry.objects.filter(action="ib.moved").exists()


def test_a_move_to_the_same_parent_changes_nothing():
    a = promote()
    b = promote(a)
    before = ancestry()

    ib_move(ib_id=b.pk, parent_id=a.pk, moved_by=None)

    assert ancestry() == before
    assert not AuditEntry.objects.filter(action="ib.moved").exists()


def test_setting_the_plan_is_audited():
    ib = promote()
    plan = RebatePlanFactory()

    ib_plan_set(ib_id=ib.pk, plan_id=plan.pk, set_by=None)

    ib.refresh_from_db()
    assert ib.plan_id == plan.pk
    assert AuditEntry.objects.get(action="ib.plan_set").data == {"from_plan_id": None, "to_plan_id": plan.pk}


@pytest.mark.django_db(transaction=True)
def test_two_crossing_moves_at_once_never_make_a_cycle():
    """a ─ b and x ─ y; at once: a under y, x under b. Either alone is fine; both would be a cycle."""
    a = promote()
    b = promote(a)
    x = promote()
    y = promote(x)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def move(ib, parent):
        try:
            barrier.wait()
            ib_move(ib_id=ib.pk, parent_id=parent.pk, moved_by=None)
            outcomes.append("moved")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=move, args=pair) for pair in ((a, y), (x, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ib_move_cycle", "moved"]
    # The closure table is a tree: every IB has exactly one row per depth up to its root.
    for ib in IbProfile.objects.all():
        depths = sorted(IbAncestry.objects.filter(ib=ib).values_list("depth", flat=True))
        assert depths == list(range(len(depths)))
        chain, node = [], ib
        while node is not None:
            chain.append(node.pk)
            node = node.parent
        assert list(IbAncestry.objects.filter(ib=ib).order_by("depth").values_list("ancestor_id", flat=True)) == chain


# --- Applications -----------------------------------------------------------------------------


def test_a_client_applies_once_at_a_time_and_staff_approve_it():
    client = client_user()
    staff = StaffFactory()
    master = promote()
    plan = RebatePlanFactory()

    application = ib_application_submit(user=client, message="  I run a trading school.  ")
    with pytest.raises(ApplicationError) as refusal:
        ib_application_submit(user=client, message="again")
    assert refusal.value.code == "ib_application_pending"
    assert IbApplication.objects.count() == 1

    profile = ib_application_approve(
        application_id=application.pk, approved_by=staff, parent_id=master.pk, plan_id=plan.pk
    )

    application.refresh_from_db()
    assert (application.message, application.status, application.decided_by) == (
        "I run a trading school.",
        IbApplication.Status.APPROVED,
        staff,
    )
    assert application.decided_at is not None
    assert (profile.user_id, profile.parent_id, profile.plan_id) == (client.pk, master.pk, plan.pk)
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "ib.promoted",
        "ib.application_submitted",
        "ib.application_approved",
    }
    with pytest.raises(ApplicationError) as refusal:
        ib_application_submit(user=client, message="")
    assert refusal.value.code == "already_an_ib"


def test_a_rejection_needs_a_reason_and_lets_the_client_apply_again():
    client = client_user()
    staff = StaffFactory()
    application = ib_application_submit(user=client, message="")

    with pytest.raises(ApplicationError) as refusal:
        ib_application_reject(application_id=application.pk, rejected_by=staff, reason="  ")
    assert refusal.value.code == "reason_required"
    application.refresh_from_db()
    assert application.status == IbApplication.Status.PENDING

    ib_application_reject(application_id=application.pk, rejected_by=staff, reason="No website yet.")

    application.refresh_from_db()
    assert (application.status, application.reason) == (IbApplication.Status.REJECTED, "No website yet.")
    assert AuditEntry.objects.get(action="ib.application_rejected").reason == "No website yet."
    with pytest.raises(ApplicationError) as refusal:
        ib_application_approve(application_id=application.pk, approved_by=staff)
    assert refusal.value.code == "ib_application_not_pending"
    client.refresh_from_db()
    assert client.role == User.Role.CLIENT
    assert ib_application_submit(user=client, message="Now with a website").status == IbApplication.Status.PENDING


def test_staff_cannot_apply():
    with pytest.raises(ApplicationError) as refusal:
        ib_application_submit(user=StaffFactory(), message="")
    assert refusal.value.code == "staff_cannot_be_ib"
    assert not IbApplication.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_enabling_two_rebate_accounts_at_once_leaves_exactly_one_enabled():
    from clients.trading.tests.factories import TradingAccountFactory
    from ib.models import RebateAccount
    from ib.services import rebate_account_add, rebate_account_set_enabled

    ib = promote()
    accounts = [
        rebate_account_add(ib_id=ib.pk, trading_account_id=TradingAccountFactory(user=ib.user).pk, added_by=None)
        for _ in range(3)
    ]
    user = User.objects.get(pk=ib.user_id)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def enable(rebate_account):
        try:
            barrier.wait()
            rebate_account_set_enabled(user=user, trading_account_id=rebate_account.trading_account_id, enabled=True)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=enable, args=(account,)) for account in accounts[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enabled = list(RebateAccount.objects.filter(ib=ib, is_enabled=True).values_list("pk", flat=True))
    assert len(enabled) == 1 and enabled[0] in {accounts[1].pk, accounts[2].pk}
