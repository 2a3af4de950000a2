"""Drafts not submitted in time expire (the periodic task)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from funds.deposits.models import Deposit
from funds.deposits.services import deposits_expire_drafts
from funds.deposits.tasks import expire_deposit_drafts
from funds.deposits.tests.conftest import draft, submitted
from funds.ledger.tests.factories import platform_account

pytestmark = pytest.mark.django_db


def test_drafts_past_their_time_to_live_expire_and_nothing_else(account, bank, client_user, settings):
    settings.DEPOSIT_DRAFT_TTL = timedelta(hours=2)
    old = draft(client_user, account, bank)
    waiting = submitted(client_user, platform_account(user=client_user, server=account.server), bank)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        young = draft(client_user, platform_account(user=client_user, server=account.server), bank)

    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=1)):
        expired = deposits_expire_drafts()
        again = expire_deposit_drafts()

    assert expired == [old.pk]
    assert again == 0
    statuses = dict(Deposit.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", waiting.pk: "submitted", young.pk: "draft"}
    event = old.events.last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "draft",
        "expired",
        None,
        "Not submitted in time.",
    )


def test_an_expired_draft_frees_the_account_for_a_new_one(account, bank, client_user):
    old = draft(client_user, account, bank)
    with time_machine.travel(old.expires_at + timedelta(seconds=1)):
        deposits_expire_drafts()

    new = draft(client_user, account, bank)

    assert new.order_number != old.order_number
