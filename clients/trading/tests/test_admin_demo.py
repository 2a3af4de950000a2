import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from clients.trading import demo
from clients.trading.models import (
    AccountApplication,
    LeverageChange,
    TradingAccount,
    TradingAccountType,
    TradingSettings,
)
from clients.trading.tests.conftest import OBSERVE_PASSWORD, PASSWORD
from clients.trading.tests.factories import client_user
from crm.audit.models import AuditEntry
from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.simulator.models import SimAccount
from crm.users.models import User


@pytest.fixture
def staff_browser(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def pending_application(client_a, live_type):
    TradingSettings.objects.create(live_applications_auto_approve=False)
    from clients.trading import services

    return services.account_application_create(
        user=client_a,
        account_type_id=live_type.pk,
        trading_platform="MT5",
        is_demo=False,
        currency="USD",
        leverage=100,
        password=PASSWORD,
        observe_password=OBSERVE_PASSWORD,
    )


def changelist(model: str) -> str:
    return reverse(f"admin:trading_{model}_changelist")


def test_staff_approve_applications_from_the_queue(staff_browser, staff, pending_application):
    response = staff_browser.post(
        changelist("accountapplication"),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending_application.pk]},
        follow=True,
    )

    assert response.status_code == 200
    pending_application.refresh_from_db()
    assert (pending_application.status, pending_application.decided_by) == (AccountApplication.Status.APPROVED, staff)
    entry = AuditEntry.objects.get(action="account_application.approved")
    assert (entry.actor, entry.target_id) == (staff, str(pending_application.pk))


def test_staff_reject_applications_with_a_reason(staff_browser, staff, pending_application):
    url = changelist("accountapplication")
    selection = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending_application.pk]}

    form_page = staff_browser.post(url, selection)
    assert form_page.status_code == 200
    assert b'name="reason"' in form_page.content
    assert not AuditEntry.objects.filter(action="account_application.rejected").exists()

    without_reason = staff_browser.post(url, {**selection, "apply": "1", "reason": ""})
    assert without_reason.status_code == 200  # the form again, with its error
    pending_application.refresh_from_db()
    assert pending_application.status == AccountApplication.Status.PENDING

    staff_browser.post(url, {**selection, "apply": "1", "reason": "Documents unreadable."}, follow=True)

    pending_application.refresh_from_db()
    assert (pending_application.status, pending_application.reason) == (
        AccountApplication.Status.REJECTED,
        "Documents unreadable.",
    )
    entry = AuditEntry.objects.get(action="account_application.rejected")
    assert (entry.actor, entry.reason) == (staff, "Documents unreadable.")


def test_approving_a_decided_application_in_the_admin_warns_and_changes_nothing(
    staff_browser, staff, pending_application
):
    url = changelist("accountapplication")
    staff_browser.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending_application.pk]})
    audit_before = AuditEntry.objects.count()

    response = staff_browser.post(
        url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending_application.pk]}, follow=True
    )

    assert "no longer waiting" in response.content.decode()
    assert AuditEntry.objects.count() == audit_before
    assert PlatformOperation.objects.count() == 1


def test_staff_decide_leverage_changes(staff_browser, staff, client_a, account_a):
    from clients.trading import services

    first = services.leverage_change_request(user=client_a, account_id=account_a.pk, leverage=200)
    url = changelist("leveragechange")

    staff_browser.post(url, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [first.pk]})
    first.refresh_from_db()
    assert first.status == LeverageChange.Status.APPROVED
    assert AuditEntry.objects.get(action="leverage_change.approved").actor == staff

    first.status = LeverageChange.Status.APPLIED  # as the outbox would
    first.applied_at = first.decided_at
    first.save()
    second = services.leverage_change_request(user=client_a, account_id=account_a.pk, leverage=500)
    staff_browser.post(
        url, {"action": "reject_selected", ACTION_CHECKBOX_NAME: [second.pk], "apply": "1", "reason": "Too risky."}
    )
    second.refresh_from_db()
    assert (second.status, second.reason) == (LeverageChange.Status.REJECTED, "Too risky.")
    assert AuditEntry.objects.get(action="leverage_change.rejected").actor == staff


def test_admin_pages_show_history_and_links(staff_browser, account_a, pending_application, client_a):
    from clients.trading import services

    change = services.leverage_change_request(user=client_a, account_id=account_a.pk, leverage=200)
    pages = [
        changelist("tradingaccount") + f"?q={account_a.login}",
        changelist("accountapplication"),
        changelist("leveragechange"),
        changelist("tradingaccounttype"),
        reverse("admin:trading_tradingaccount_change", args=[account_a.pk]),
        reverse("admin:trading_accountapplication_change", args=[pending_application.pk]),
        reverse("admin:trading_accountapplication_change", args=[account_a.application_id]),
        reverse("admin:trading_leveragechange_change", args=[change.pk]),
        reverse("admin:trading_tradingaccounttype_change", args=[account_a.account_type_id]),
        reverse("admin:trading_tradingsettings_changelist"),
    ]
    for page in pages:
        response = staff_browser.get(page, follow=True)
        assert response.status_code == 200, page

    by_email = staff_browser.get(changelist("tradingaccount"), {"q": "alice@example.com"})
    assert by_email.status_code == 200 and list(by_email.context["cl"].result_list) == [account_a]
    operations = staff_browser.get(
        reverse("admin:platforms_platformoperation_changelist"),
        {"q": f"account-application-{account_a.application_id}"},
    )
    assert operations.status_code == 200 and operations.context["cl"].result_count == 1

    account_page = staff_browser.get(reverse("admin:trading_tradingaccount_change", args=[account_a.pk])).content
    assert b"trading_account.opened" in account_page
    assert f"trading-account-{account_a.pk}-".encode() in account_page
    assert PASSWORD.encode() not in account_page


def test_staff_disable_an_account(staff_browser, staff, account_a):
    staff_browser.post(
        changelist("tradingaccount"), {"action": "disable_selected", ACTION_CHECKBOX_NAME: [account_a.pk]}
    )

    account_a.refresh_from_db()
    assert account_a.status == TradingAccount.Status.DISABLED
    assert AuditEntry.objects.get(action="trading_account.status_changed").actor == staff


# --- demo data --------------------------------------------------------------------------


def test_demo_data_makes_the_types_and_then_the_demo_clients_accounts(db):
    demo.load_demo_data()

    assert TradingServer.objects.filter(name__startswith="Sim ").count() == 3
    types = TradingAccountType.objects.order_by("position")
    assert [(t.server.name, t.name("en-US"), t.is_demo) for t in types] == [
        ("Sim MT5 Live", "Standard", False),
        ("Sim MT5 Live", "ECN", False),
        ("Sim MT4 Live", "Standard (MT4)", False),
        ("Sim MT5 Demo", "Demo", True),
    ]
    assert not TradingAccount.objects.exists()

    user = client_user(email=demo.DEMO_CLIENT_EMAIL)
    demo.load_demo_data()
    demo.load_demo_data()

    accounts = TradingAccount.objects.filter(user=user).order_by("is_demo")
    assert [(a.server.name, a.is_demo, a.leverage) for a in accounts] == [
        ("Sim MT5 Live", False, 100),
        ("Sim MT5 Demo", True, 500),
    ]
    assert TradingAccountType.objects.count() == 4
    demo_sim = SimAccount.objects.get(server=accounts[1].server, login=accounts[1].login)
    assert str(demo_sim.balance) == "10000.00"
    assert User.objects.filter(email=demo.DEMO_CLIENT_EMAIL).count() == 1
