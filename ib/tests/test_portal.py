"""The IB portal's pages: what an IB sees (and never sees), in both languages; the chart JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from crm.audit.models import AuditEntry
from crm.inbox.tests.factories import MessageFactory
from crm.users.models import Language
from crm.users.tests.factories import StaffFactory
from ib.dashboard.services import daily_figures_refresh
from ib.models import RebateAccount
from ib.tests.factories import ClientAttributionFactory, IbProfileFactory, RebateAccountFactory

from .dashboard_data import business, shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 3, 6, 20)
PAGES = [
    "/ib/",
    "/ib/clients/",
    "/ib/rebates/",
    "/ib/rebate-accounts/",
    "/ib/referral/",
    "/ib/tree/",
    "/ib/messages/",
]


@pytest.fixture(autouse=True)
def _language_kept():
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def scenario():
    data = business()
    daily_figures_refresh(now=NOW)
    return data


def browser_of(user, language: str = "en-US") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    browser = Client()
    browser.force_login(user)
    browser.cookies["django_language"] = "en" if language == "en-US" else "zh-hans"
    return browser


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    ("language", "html_lang", "title"), [("en-US", "en-US", "IB dashboard"), ("zh-CN", "zh-CN", "IB 仪表盘")]
)
def test_every_page_renders_for_an_ib_in_both_languages(scenario, path, language, html_lang, title):
    MessageFactory()
    response = browser_of(scenario.ib.user, language).get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{html_lang}">' in html
    assert title in html  # the IB menu, translated


@pytest.mark.parametrize("path", [*PAGES, "/ib/dashboard/chart-data/", "/ib/referral/qr-code.svg"])
def test_a_client_is_told_they_are_not_an_ib(scenario, path):
    response = browser_of(scenario.clients["c1"]).get(path)

    assert response.status_code == 403
    assert "You are not an introducing broker" in response.content.decode()


@pytest.mark.parametrize("path", ["/ib/", "/ib/dashboard/chart-data/"])
def test_staff_have_no_ib_portal_and_visitors_sign_in_first(scenario, path):
    assert browser_of(StaffFactory()).get(path).status_code == 403
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_cards_show_the_figures_of_the_period(scenario):
    response = browser_of(scenario.ib.user).get(
        "/ib/", {"date_type": "custom", "start_date": "2026-03-02", "end_date": "2026-03-06"}
    )

    cards = {key: str(value) for key, _label, value in response.context["cards"]}
    assert cards == {
        "new_clients": "2",
        "active_traders": "3",
        "deposits": "350.50",
        "withdrawals": "30.25",
        "net_deposits": "320.25",
        "lots": "4.70",
        "commission_earned": "1.25",
        "commission_paid": "6.25",
    }
    assert 'data-testid="card-net_deposits">320.25<' in response.content.decode()


def test_a_bad_custom_period_is_shown_on_the_form(scenario):
    response = browser_of(scenario.ib.user).get(
        "/ib/", {"date_type": "custom", "start_date": "2026-03-06", "end_date": "2026-03-02"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"end_date": ["The end date is before the start date."]}
    assert response.context["cards"] == []


def test_the_chart_data_of_a_period(scenario):
    response = browser_of(scenario.ib.user).get(
        "/ib/dashboard/chart-data/", {"date_type": "custom", "start_date": "2026-03-02", "end_date": "2026-03-06"}
    )

    assert response.status_code == 200
    data = response.json()
    ada, bob, cyd = (scenario.clients[key] for key in ("c1", "c2", "c3"))
    assert data == {
        "period": {"date_type": "custom", "start_date": "2026-03-02", "end_date": "2026-03-06"},
        "days": ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"],
        "commission_earned": ["5.00", "-5.00", "1.25", "0.00", "0.00"],
        "lots": ["1.50", "2.30", "0.20", "0.00", "0.70"],
        "deposits": ["100.00", "0.00", "250.50", "0.00", "0.00"],
        "withdrawals": ["0.00", "30.25", "0.00", "0.00", "0.00"],
        "top_clients_by_lots": [
            {"client_user_id": ada.pk, "name": "Ada Client", "email": "c1@example.com", "value": "3.50"},
            {"client_user_id": cyd.pk, "name": "Cyd Client", "email": "c3@example.com", "value": "0.70"},
            {"client_user_id": bob.pk, "name": "Bob Client", "email": "c2@example.com", "value": "0.50"},
        ],
        # c1's line and its reversal net to 0; c3's is A's level-1 line on B's deal (the plan shows the downline).
        "top_clients_by_commission": [
            {"client_user_id": cyd.pk, "name": "Cyd Client", "email": "c3@example.com", "value": "1.25"},
            {"client_user_id": ada.pk, "name": "Ada Client", "email": "c1@example.com", "value": "0.00"},
        ],
    }


def test_the_chart_data_refuses_a_bad_period(scenario):
    response = browser_of(scenario.ib.user).get("/ib/dashboard/chart-data/", {"date_type": "last_year"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == ["date_type"]


def test_top_clients_by_commission_hide_the_downline_when_the_plan_does(scenario):
    scenario.ib.plan.is_downline_visible = False
    scenario.ib.plan.save()

    data = (
        browser_of(scenario.ib.user)
        .get("/ib/dashboard/chart-data/", {"date_type": "custom", "start_date": "2026-03-02", "end_date": "2026-03-06"})
        .json()
    )

    assert [row["email"] for row in data["top_clients_by_commission"]] == ["c1@example.com"]


def listed(response) -> list[str]:
    return [client.email for client, _ib in response.context["rows"]]


def test_the_client_list_shows_own_and_downline_clients_only(scenario):
    downline_client = ClientAttributionFactory(ib=scenario.sub_ib, client__email="c5@example.com").client

    assert listed(browser_of(scenario.ib.user).get("/ib/clients/")) == [
        downline_client.email,
        "c3@example.com",
        "c2@example.com",
        "c1@example.com",
    ]
    assert listed(browser_of(scenario.sub_ib.user).get("/ib/clients/")) == [downline_client.email]
    assert listed(browser_of(scenario.other_ib.user).get("/ib/clients/")) == ["c4@example.com"]

    scenario.ib.plan.is_downline_visible = False
    scenario.ib.plan.save()
    assert downline_client.email not in listed(browser_of(scenario.ib.user).get("/ib/clients/"))


def test_the_client_list_filters_as_the_api_does(scenario):
    browser = browser_of(scenario.ib.user)
    c1, c2 = scenario.clients["c1"], scenario.clients["c2"]
    c2.client_profile.kyc_status = "disapproved"
    c2.client_profile.save()
    c1.status = "disabled"
    c1.save()

    assert listed(browser.get("/ib/clients/", {"email": "c2@"})) == ["c2@example.com"]
    assert listed(browser.get("/ib/clients/", {"client_name": "cyd"})) == ["c3@example.com"]
    assert listed(browser.get("/ib/clients/", {"client_user_id": c1.pk})) == ["c1@example.com"]
    assert listed(browser.get("/ib/clients/", {"kyc_status": "disapproved"})) == ["c2@example.com"]
    assert listed(browser.get("/ib/clients/", {"kyc_status": "approved"})) == ["c3@example.com", "c1@example.com"]
    assert listed(browser.get("/ib/clients/", {"status": "disabled"})) == ["c1@example.com"]
    # Another IB's client by id: nothing, as for an unknown id.
    assert listed(browser.get("/ib/clients/", {"client_user_id": scenario.clients["c4"].pk})) == []


def test_a_clients_detail_and_accounts_and_never_another_ibs_client(scenario):
    browser = browser_of(scenario.ib.user)
    account = scenario.accounts["c1"]

    response = browser.get(f"/ib/clients/{scenario.clients['c1'].pk}/")
    assert response.status_code == 200
    assert f'data-login="{account.login}"' in response.content.decode()

    assert browser.get(f"/ib/clients/{scenario.clients['c4'].pk}/").status_code == 404
    assert browser_of(scenario.sub_ib.user).get(f"/ib/clients/{scenario.clients['c1'].pk}/").status_code == 404


def test_rebate_records_are_the_ibs_own_lines(scenario):
    response = browser_of(scenario.ib.user).get("/ib/rebates/")

    assert [str(line.amount) for line in response.context["page"]] == ["1.25000000", "-5.00000000", "5.00000000"]


def test_an_ib_enables_one_rebate_account_and_disables_it(scenario):
    first = RebateAccount.objects.get(ib=scenario.ib)
    second = RebateAccountFactory(ib=scenario.ib, is_enabled=False)
    browser = browser_of(scenario.ib.user)

    response = browser.post(f"/ib/rebate-accounts/{second.trading_account_id}/enabled/", {"enabled": "1"})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_enabled, second.is_enabled) == (False, True)
    assert AuditEntry.objects.filter(action="ib.rebate_account_enabled").count() == 1

    browser.post(f"/ib/rebate-accounts/{second.trading_account_id}/enabled/", {"enabled": "0"})
    second.refresh_from_db()
    assert second.is_enabled is False


def test_another_ibs_rebate_account_is_404_and_changes_nothing(scenario):
    others = RebateAccountFactory(ib=scenario.other_ib, is_enabled=True)
    audits = AuditEntry.objects.count()

    response = browser_of(scenario.ib.user).post(
        f"/ib/rebate-accounts/{others.trading_account_id}/enabled/", {"enabled": "0"}
    )

    assert response.status_code == 404
    others.refresh_from_db()
    assert others.is_enabled is True
    assert AuditEntry.objects.count() == audits


def test_the_referral_link_and_its_qr_code(scenario):
    browser = browser_of(scenario.ib.user)

    response = browser.get("/ib/referral/")
    link = f"http://testserver/accounts/signup/?invite={scenario.ib.referral_code}"
    assert f'value="{link}"' in response.content.decode()

    image = browser.get("/ib/referral/qr-code.svg")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert image.content.startswith(b"<?xml") and b"<svg" in image.content and b"<path" in image.content


def test_the_tree_nests_the_downline(scenario):
    grandchild = IbProfileFactory(parent=scenario.sub_ib, user__email="ib-d@example.com")

    response = browser_of(scenario.ib.user).get("/ib/tree/")

    tree = response.context["tree"]
    assert [node["ib"] for node in tree] == [scenario.sub_ib]
    assert [node["ib"] for node in tree[0]["children"]] == [grandchild]
    assert response.context["size"] == 2
    assert "ib-c@example.com" not in response.content.decode()
    assert browser_of(scenario.sub_ib.user).get("/ib/tree/").context["size"] == 1


def test_messages_come_from_the_inbox(scenario):
    message = MessageFactory(recipients=[scenario.ib.user])
    browser = browser_of(scenario.ib.user)

    assert [row["id"] for row in browser.get("/ib/messages/").context["rows"]] == [message.pk]
    assert browser.get(f"/ib/messages/{message.pk}/").status_code == 200
    assert browser_of(scenario.sub_ib.user).get(f"/ib/messages/{message.pk}/").status_code == 404


def test_a_client_portal_page_links_an_ib_to_the_ib_portal(scenario):
    html = browser_of(scenario.ib.user).get("/messages/").content.decode()

    assert 'href="/ib/"' in html
    assert 'href="/ib/"' not in browser_of(scenario.clients["c1"]).get("/messages/").content.decode()


def test_the_last_update_time_is_shown(scenario):
    html = browser_of(scenario.ib.user).get("/ib/").content.decode()

    assert 'data-testid="last-update-time">2026-03-06 20:00:00<' in html


def test_a_user_with_the_ib_role_but_no_profile_is_not_an_ib(db):
    from clients.trading.tests.factories import client_user

    user = client_user(role="ib", language=Language.EN_US)

    assert browser_of(user).get("/ib/").status_code == 403


def test_period_days_are_the_company_days(scenario):
    response = browser_of(scenario.ib.user).get(
        "/ib/dashboard/chart-data/", {"date_type": "custom", "start_date": "2026-03-03", "end_date": "2026-03-03"}
    )

    # c2's deal at 23:30 Shanghai on the 3rd is the 3rd's; the one at 00:30 on the 4th is not.
    assert response.json()["lots"] == ["2.30"]
    assert dt.date(2026, 3, 3).isoformat() == response.json()["days"][0]
