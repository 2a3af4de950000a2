"""The back office home: each card's count, the rows its link lists, today's totals, who sees what,
and how many queries it takes — on the demo week, as a newcomer meets it."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db.models import Q

from clients.models import ClientProfile, KycStatus
from clients.trading.models import AccountApplication, LeverageChange, TradingAccount
from crm.backoffice.selectors import today_totals_for, work_waiting_for
from crm.configuration.selectors import company_time_zone
from crm.platforms.models import PlatformOperation
from crm.platforms.simulator.models import SimDeal
from crm.users.models import User
from crm.users.tests.factories import UserFactory
from funds.deposits.models import Deposit
from funds.transfers.models import Transfer
from funds.withdrawals.models import Withdrawal
from ib.models import IbApplication, RebatePayout

# The demo week's queues (funds/demo_week.py, clients/demo_week.py, clients/trading/demo_week.py).
EXPECTED_CARDS = {
    "deposits_to_review": 5,
    "withdrawals_to_approve": 4,
    "withdrawals_second_approval": 1,
    "withdrawals_to_pay": 1,
    "transfers_to_approve": 2,
    "kyc_to_review": 6,
    "account_applications_to_approve": 3,
    "leverage_changes_to_approve": 1,
    "platform_operations_failed": 1,
    "ib_applications_waiting": 1,
    "rebate_payouts_waiting": 2,
}
# Approved today: deposits 1,500 + 2,500 + 800 + 2,000 (the one whose credit failed); withdrawals
# 15,000 by wire (fee 30 + 0.1%: 14,955.00 paid out) and 3,000 by bank (fee 5: 2,995.00).
# The labels as the staff user reads them: the back office speaks Chinese by default.
EXPECTED_TOTALS = [
    ("今日已批准入金", [("USD", "6,800.00")]),
    ("今日已批准出金（待付款）", [("USD", "17,950.00")]),
]
WAITING_ROWS = {
    "deposits_to_review": lambda: Deposit.objects.filter(status="submitted"),
    "withdrawals_to_approve": lambda: Withdrawal.objects.filter(status="pending"),
    "withdrawals_second_approval": lambda: Withdrawal.objects.filter(
        status="approved", requires_second_approval=True, second_approver=None
    ),
    "withdrawals_to_pay": lambda: Withdrawal.objects.filter(status="approved").filter(
        Q(requires_second_approval=False) | Q(second_approver__isnull=False)
    ),
    "transfers_to_approve": lambda: Transfer.objects.filter(status="pending"),
    "kyc_to_review": lambda: ClientProfile.objects.filter(kyc_status="pending"),
    "account_applications_to_approve": lambda: AccountApplication.objects.filter(status="pending"),
    "leverage_changes_to_approve": lambda: LeverageChange.objects.filter(status="pending"),
    "platform_operations_failed": lambda: PlatformOperation.objects.filter(status="failed"),
    "rebate_payouts_waiting": lambda: RebatePayout.objects.filter(status="pending"),
    "ib_applications_waiting": lambda: IbApplication.objects.filter(status="pending"),
}


def load_demo() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [User, ClientProfile, TradingAccount, AccountApplication, Deposit, Withdrawal, Transfer, SimDeal]
    return {model.__name__: model.objects.count() for model in models} | {
        "operations": PlatformOperation.objects.count()
    }


@pytest.mark.django_db
def test_the_demo_week_fills_every_queue_and_each_card_links_to_exactly_its_rows(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    output = load_demo()
    assert "admin@broker.example" in output and "finance@broker.example" in output
    admin = User.objects.get(email="admin@broker.example")
    client.force_login(admin)

    page = client.get("/admin/")

    assert page.status_code == 200
    cards = {card.key: card for card in page.context["work_waiting"]}
    assert {key: card.count for key, card in cards.items()} == EXPECTED_CARDS
    for key, card in cards.items():
        assert card.url in page.content.decode()
        listed = client.get(card.url)
        assert listed.status_code == 200, key
        changelist = listed.context["cl"]
        assert changelist.result_count == EXPECTED_CARDS[key], key
        assert sorted(row.pk for row in changelist.result_list) == sorted(
            WAITING_ROWS[key]().values_list("pk", flat=True)
        ), key
    assert page.context["today_totals"] == EXPECTED_TOTALS

    # Every KYC stage, and a week of trades on the approved clients' accounts.
    statuses = ClientProfile.objects.filter(user__email__endswith="@clients.broker.example").values_list(
        "kyc_status", flat=True
    )
    assert sorted(set(statuses)) == sorted(KycStatus.values)
    assert SimDeal.objects.filter(account__login__in=TradingAccount.objects.values("login")).count() > 0

    # The totals are Decimals per currency of the company's day.
    totals = {item.total.key: item.amounts for item in today_totals_for(user=admin)}
    assert totals == {
        "deposits_approved_today": [("USD", Decimal("6800.00"))],
        "withdrawals_approved_today": [("USD", Decimal("17950.00"))],
    }
    assert all(isinstance(amount, Decimal) for amounts in totals.values() for _currency, amount in amounts)

    # One query per model for the counts and one per total, whatever the number of rows.
    company_time_zone()  # cached, as on every request after the first
    models = {
        "deposits",
        "withdrawals",
        "transfers",
        "profiles",
        "applications",
        "leverage",
        "operations",
        "payouts",
        "ib_applications",
    }
    with django_assert_num_queries(len(models)):
        work_waiting_for(user=admin)
    with django_assert_num_queries(2):
        today_totals_for(user=admin)
    # The panel's 9, the session, the user, recent actions, and the app list's 16 singleton checks.
    with django_assert_max_num_queries(len(models) + 2 + 3 + 16):
        assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_loading_the_demo_again_adds_nothing():
    load_demo()
    first = row_counts()
    load_demo()
    assert row_counts() == first


def staff_with(*codenames: str) -> User:
    user = UserFactory(role=User.Role.STAFF, is_superuser=False, language="en-US")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per instance


@pytest.mark.django_db
def test_a_staff_user_sees_only_the_queues_they_may_view(client):
    staff = staff_with("view_deposit", "change_transfer")
    client.force_login(staff)

    page = client.get("/admin/")

    assert page.status_code == 200
    assert [card.key for card in page.context["work_waiting"]] == ["deposits_to_review", "transfers_to_approve"]
    assert [label for label, _amounts in page.context["today_totals"]] == ["Deposits approved today"]
    content = page.content.decode()
    assert "/admin/deposits/deposit/?status__exact=submitted" in content
    assert "withdrawals/withdrawal/" not in content


@pytest.mark.django_db
def test_a_staff_user_without_any_queue_gets_no_panel(client):
    client.force_login(staff_with("view_user"))
    page = client.get("/admin/")
    assert page.status_code == 200
    assert page.context["work_waiting"] == [] and page.context["today_totals"] == []
    assert 'id="work-waiting"' not in page.content.decode()
