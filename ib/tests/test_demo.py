"""The IB part of `manage.py demo_data`: the published three-level plan and its next draft, the IB
tree with clients attributed through referral codes, rebate accounts, the logins on screen; twice."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from clients.demo_week import DOMAIN
from crm.audit.models import AuditEntry
from crm.users.models import User
from ib.demo import AGENT, CLIENTS_OF, MASTER, PLAN_NAME, SUB
from ib.models import ClientAttribution, IbAncestry, IbProfile, RebateAccount, RebatePlanVersion, RebateRate

Status = RebatePlanVersion.Status


def load_demo() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [IbProfile, IbAncestry, ClientAttribution, RebateAccount, RebatePlanVersion, RebateRate, AuditEntry]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_the_demo_builds_an_ib_tree_with_clients_and_a_published_plan_and_runs_twice():
    output = load_demo()

    for email in (MASTER, SUB, AGENT):
        assert email in output
    master, sub, agent = (IbProfile.objects.get(user__email=email) for email in (MASTER, SUB, AGENT))
    assert (master.parent_id, sub.parent_id, agent.parent_id) == (None, master.pk, sub.pk)
    assert sorted(IbAncestry.objects.filter(ib=agent).values_list("ancestor_id", "depth")) == sorted(
        [(agent.pk, 0), (sub.pk, 1), (master.pk, 2)]
    )
    assert {profile.user.role for profile in (master, sub, agent)} == {User.Role.IB}

    # Every listed client came through their IB's referral code, before the demo week's trades.
    for ib, email in ((master, MASTER), (sub, SUB), (agent, AGENT)):
        attributed = ClientAttribution.objects.filter(ib=ib, effective_to__isnull=True, source="invite_code")
        expected = {client if "@" in client else f"{client}@{DOMAIN}" for client in CLIENTS_OF[email]}
        assert set(attributed.values_list("client__email", flat=True)) == expected
        assert set(attributed.values_list("client__client_profile__invite_code", flat=True)) == {ib.referral_code}

    # One live rebate account each, enabled.
    for ib in (master, sub, agent):
        account = RebateAccount.objects.select_related("trading_account").get(ib=ib)
        assert account.is_enabled and not account.trading_account.is_demo
        assert account.trading_account.user_id == ib.user_id

    # The plan: version 1 published for the demo week, version 2 a draft with a higher forex rate.
    published, draft = RebatePlanVersion.objects.filter(plan__name=PLAN_NAME).order_by("number")
    assert {master.plan_id, sub.plan_id, agent.plan_id} == {published.plan_id}
    assert (published.status, published.cap_per_lot, published.minimum_payout) == (
        Status.PUBLISHED,
        Decimal("12.0000"),
        Decimal("20.0000"),
    )
    assert sorted(published.rates.values_list("level", "symbol_group", "symbol", "per_lot")) == [
        (0, "", "XAUUSD", Decimal("9.0000")),
        (0, "forex", "", Decimal("8.0000")),
        (0, "indices", "", Decimal("4.0000")),
        (0, "metals", "", Decimal("10.0000")),
        (1, "", "XAUUSD", Decimal("3.0000")),
        (1, "forex", "", Decimal("2.0000")),
        (1, "indices", "", Decimal("1.0000")),
        (1, "metals", "", Decimal("3.0000")),
        (2, "", "XAUUSD", Decimal("1.5000")),
        (2, "forex", "", Decimal("1.0000")),
        (2, "indices", "", Decimal("0.5000")),
        (2, "metals", "", Decimal("1.5000")),
    ]
    assert (draft.status, draft.number, draft.rates.count()) == (Status.DRAFT, 2, 12)
    assert draft.rates.get(level=0, symbol_group="forex").per_lot == Decimal("9.0000")

    first = counts()
    load_demo()
    assert counts() == first
