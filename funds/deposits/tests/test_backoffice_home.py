"""Deposits on the back office home: the review card and the day's approved total, whose day is the
company's (Asia/Shanghai here), not UTC's."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.backoffice.selectors import today_totals_for, work_waiting_for
from funds.deposits import services
from funds.deposits.models import Deposit
from funds.deposits.tests.conftest import submitted

D = Decimal


def approved_at(deposit: Deposit, moment: datetime, staff) -> None:
    services.deposit_approve(deposit_id=deposit.pk, by=staff)
    Deposit.objects.filter(pk=deposit.pk).update(decided_at=moment)


def deposit_totals(staff, day: date) -> list[tuple[str, Decimal]]:
    return {item.total.key: item.amounts for item in today_totals_for(user=staff, day=day)}["deposits_approved_today"]


@pytest.mark.django_db
def test_the_day_total_counts_approvals_of_the_company_day(client_user, account, bank, cny_bank, staff, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    # 2026-03-02 in Shanghai is 2026-03-01 16:00 to 2026-03-02 16:00 UTC.
    approved_at(submitted(client_user, account, bank, "100.00"), datetime(2026, 3, 1, 15, 59, tzinfo=UTC), staff)
    approved_at(submitted(client_user, account, bank, "250.50"), datetime(2026, 3, 1, 16, 0, tzinfo=UTC), staff)
    approved_at(submitted(client_user, account, bank, "49.50"), datetime(2026, 3, 2, 15, 59, tzinfo=UTC), staff)
    approved_at(submitted(client_user, account, cny_bank, "1000.00"), datetime(2026, 3, 2, 12, 0, tzinfo=UTC), staff)
    approved_at(submitted(client_user, account, bank, "70.00"), datetime(2026, 3, 2, 16, 0, tzinfo=UTC), staff)
    rejected = submitted(client_user, account, bank, "999.00")
    services.deposit_reject(deposit_id=rejected.pk, by=staff, reason="No receipt")
    Deposit.objects.filter(pk=rejected.pk).update(decided_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))

    assert deposit_totals(staff, date(2026, 3, 2)) == [("CNY", D("1000.00")), ("USD", D("300.00"))]
    assert deposit_totals(staff, date(2026, 3, 1)) == [("USD", D("100.00"))]
    assert deposit_totals(staff, date(2026, 3, 4)) == []


@pytest.mark.django_db
def test_the_review_card_counts_submitted_deposits_only(client_user, account, bank, staff):
    waiting = submitted(client_user, account, bank, "100.00")
    services.deposit_approve(deposit_id=submitted(client_user, account, bank, "200.00").pk, by=staff)
    services.deposit_draft_create(
        user=client_user, trading_account_id=account.pk, channel_id=bank.pk, deposit_amount=D("50.00")
    )

    cards = {item.queue.key: item.count for item in work_waiting_for(user=staff)}

    assert cards["deposits_to_review"] == 1
    assert list(Deposit.objects.filter(status="submitted").values_list("pk", flat=True)) == [waiting.pk]
