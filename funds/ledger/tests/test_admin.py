"""The ledger in the back office: read-only, balances shown, reconciliation runs on demand."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.platforms.gateway import BalanceKind, gateway_for
from funds.ledger.models import Journal, ReconciliationRun
from funds.ledger.reconciliation import reconciliation_run
from funds.ledger.services import demo_funding_account, fee_income_account, journal_post
from funds.ledger.tests.factories import platform_account
from funds.tests.factories import currency

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def journal(db):
    currency("USD")
    return journal_post(
        kind=Journal.Kind.ADJUSTMENT,
        lines=[(demo_funding_account(currency="USD"), D("12.50")), (fee_income_account(currency="USD"), D("-12.50"))],
        reference="test:1",
        memo="opening",
        idempotency_key="admin-1",
    )


def test_accounts_show_their_balance_and_cannot_be_edited(staff_client, journal):
    response = staff_client.get(reverse("admin:ledger_ledgeraccount_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "demo_funding:USD" in content and "fee_income:USD" in content
    assert content.count("12.50") >= 2
    assert staff_client.get(reverse("admin:ledger_ledgeraccount_add")).status_code == 403


def test_a_journal_shows_its_entries_and_cannot_be_changed_or_deleted(staff_client, journal):
    page = staff_client.get(reverse("admin:ledger_journal_change", args=[journal.pk]))
    deleted = staff_client.post(reverse("admin:ledger_journal_delete", args=[journal.pk]), {"post": "yes"})
    edited = staff_client.post(reverse("admin:ledger_journal_change", args=[journal.pk]), {"memo": "changed"})

    assert page.status_code == 200
    assert "opening" in page.content.decode() and "-12.50" in page.content.decode()
    assert deleted.status_code == 403
    assert edited.status_code == 403
    journal.refresh_from_db()
    assert journal.memo == "opening" and journal.entries.count() == 2


def test_runs_and_their_differences_are_shown(staff_client):
    account = platform_account()
    gateway_for(account.server).balance_operation(account.login, BalanceKind.DEPOSIT, D("5.00"), idempotency_key="x")
    run = reconciliation_run()

    listing = staff_client.get(reverse("admin:ledger_reconciliationrun_changelist"))
    page = staff_client.get(reverse("admin:ledger_reconciliationrun_change", args=[run.pk]))

    assert listing.status_code == 200 and "Reconcile now" in listing.content.decode()
    assert page.status_code == 200 and str(account.login) in page.content.decode()


def test_staff_start_a_reconciliation_from_the_back_office(staff_client, staff, celery_eager):
    platform_account()

    response = staff_client.post(reverse("admin:ledger_reconciliationrun_run"))

    assert response.status_code == 302
    run = ReconciliationRun.objects.get()
    assert (run.status, run.started_by, run.accounts_checked) == ("clean", staff, 1)
