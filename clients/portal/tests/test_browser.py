"""The portal in a real browser: sign up, verify the address, KYC with a document, staff approval in
the admin, a live account with its balance.

Playwright drives Debian's Chromium (`apt-get install chromium`) against pytest-django's live server.
Platform operations run in process (Celery eager), so the account opens while the request waits.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from clients.models import ClientProfile, KycStatus
from clients.trading.models import TradingAccount
from crm.tests.browser import BROWSER_TEST, TIMEOUT_MS
from crm.users.tests.factories import DEFAULT_PASSWORD, StaffFactory

from .data import account_type, png_bytes, registration_template

EMAIL = "ada@example.com"
PASSWORD = "Sunny-Harbour-2024"

pytestmark = BROWSER_TEST


@pytest.fixture
def portal_setup(transactional_db, settings, celery_eager):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    registration_template()
    account_type()
    return StaffFactory(email="reviewer@example.com")


def submit(page, label: str) -> None:
    """Press the page's button `label` (in the page's content, not the menu's forms)."""
    page.locator("main").get_by_role("button", name=label).click()
    page.wait_for_load_state()


def test_sign_up_verify_kyc_approval_and_live_account(live_server, browser, portal_setup):
    staff = portal_setup
    client_context = browser.new_context(locale="en-US")
    client_context.set_default_timeout(TIMEOUT_MS)
    page = client_context.new_page()

    # Sign up through an IB's link; the switcher shows the page in Chinese and back in English.
    page.goto(f"{live_server.url}/accounts/signup/?invite=IB7")
    page.get_by_role("button", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en-US"
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    assert page.input_value("input[name=invite_code]") == "IB7"
    submit(page, "Sign Up")
    assert "/accounts/confirm-email/" in page.url
    profile = ClientProfile.objects.get(user__email=EMAIL)
    assert profile.invite_code == "IB7"

    # The verification e-mail's link confirms the address and signs the client in.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    submit(page, "Confirm")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.get_by_test_id("kyc-status").inner_text() == "Filling in"

    # The KYC wizard: one step per module, a real PNG as the document, then "submit for review".
    page.goto(f"{live_server.url}/kyc/")
    page.locator("main").get_by_role("link", name="Continue").click()
    page.fill("input[name=full_name]", "Ada Lovelace")
    page.fill("input[name=birth_date]", "1990-12-10")
    page.select_option("select[name=id_type]", "passport")
    page.select_option("select[name=nationality]", "CN")
    submit(page, "Save and continue")
    assert page.url.endswith("/kyc/authentication_accessory/")
    page.set_input_files(
        "input[name=id_front]", files=[{"name": "passport.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    submit(page, "Save and continue")
    assert page.url.endswith("/kyc/agreement/")
    page.check("input[name=client_agreement]")
    submit(page, "Save and continue")
    assert page.url.endswith("/kyc/submit/")
    submit(page, "Submit for review")
    assert page.get_by_test_id("kyc-status").inner_text() == "Pending review"

    # Staff approve the application in the admin, in another browser context.
    staff_context = browser.new_context(locale="en-US")
    staff_context.set_default_timeout(TIMEOUT_MS)
    admin = staff_context.new_page()
    admin.goto(f"{live_server.url}/admin/login/?next=/admin/clients/clientprofile/")
    admin.fill("input[name=username]", staff.email)
    admin.fill("input[name=password]", DEFAULT_PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.wait_for_url(re.compile(r".*/admin/clients/clientprofile/.*"))
    admin.check(f"input[name=_selected_action][value='{profile.pk}']")
    admin.select_option("select[name=action]", "approve_selected")
    admin.locator("button[name=index]").click()
    admin.wait_for_load_state()
    assert "1 application approved." in admin.locator(".messagelist").inner_text()
    profile.refresh_from_db()
    assert profile.kyc_status == KycStatus.APPROVED

    # The client sees the decision, and opens a live account.
    page.goto(f"{live_server.url}/dashboard/")
    assert page.get_by_test_id("kyc-status").inner_text() == "Approved"
    page.goto(f"{live_server.url}/trading-accounts/")
    page.locator("main").get_by_role("link", name="Open a live account").click()
    page.select_option("select[name=trading_platform]", "MT5")
    page.select_option("select[name=trading_account_type_id]", label="Standard · MT5 · Live")
    page.select_option("select[name=leverage]", "100")
    page.select_option("select[name=currency]", "USD")
    page.fill("input[name=password]", "Trade-Pass-12")
    submit(page, "Open account")
    page.wait_for_url(f"{live_server.url}/trading-accounts/")

    account = TradingAccount.objects.get(user__email=EMAIL)
    row = page.locator(f"tr[data-login='{account.login}']")
    assert row.get_by_test_id("balance").inner_text() == "0.00"
    assert "1:100" in row.inner_text()

    staff_context.close()
    client_context.close()
