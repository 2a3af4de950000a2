"""The shared movement services, seen through deposits: order numbers drawn again when taken, and a
transition's event and audit row."""

from decimal import Decimal

import pytest

from crm.audit.models import AuditEntry
from crm.configuration.models import FundingMethod
from crm.users.tests.factories import UserFactory
from funds.deposits import services
from funds.deposits.models import Deposit, DepositEvent
from funds.ledger.tests.factories import platform_account
from funds.models import Direction
from funds.movements import services as movement_services
from funds.tests.factories import ChannelCurrencyFactory, ChannelFactory, currency

TAKEN, FRESH = "D20990101000001", "D20990101000002"


@pytest.fixture
def client_user(db):
    currency("USD")
    return UserFactory(email="alice@example.com")


@pytest.fixture
def bank(db):
    channel = ChannelFactory(method=FundingMethod.BANK_TRANSFER, provider="manual")
    ChannelCurrencyFactory(channel=channel, currency=currency("USD"), direction=Direction.DEPOSIT)
    return channel


def draft(user, bank) -> Deposit:
    account = platform_account(user=user)
    return services.deposit_draft_create(
        user=user, trading_account_id=account.pk, channel_id=bank.pk, deposit_amount=Decimal("100.00")
    )


def test_a_taken_order_number_is_drawn_again(client_user, bank, monkeypatch):
    numbers = iter([TAKEN, TAKEN, FRESH])
    monkeypatch.setattr(movement_services, "order_number_new", lambda *, prefix, now=None: next(numbers))
    first = draft(client_user, bank)

    second = draft(client_user, bank)

    assert (first.order_number, second.order_number) == (TAKEN, FRESH)
    assert Deposit.objects.count() == 2


def test_no_free_order_number_gives_up_and_writes_nothing(client_user, bank, monkeypatch):
    monkeypatch.setattr(movement_services, "order_number_new", lambda *, prefix, now=None: TAKEN)
    draft(client_user, bank)
    before = (Deposit.objects.count(), DepositEvent.objects.count(), AuditEntry.objects.count())

    with pytest.raises(RuntimeError, match="free order number"):
        draft(client_user, bank)

    assert (Deposit.objects.count(), DepositEvent.objects.count(), AuditEntry.objects.count()) == before


def test_a_transition_records_its_event_and_audit_row(client_user, bank):
    deposit = draft(client_user, bank)

    services.deposit_cancel(user=client_user, order_number=deposit.order_number)

    event = deposit.events.last()
    assert (event.from_status, event.to_status, event.actor, str(event)) == (
        "draft",
        "cancelled",
        client_user,
        f"{deposit.pk}: draft → cancelled",
    )
    audit = AuditEntry.objects.get(action="deposit.cancelled")
    assert (audit.actor, audit.target_id, audit.data) == (
        client_user,
        str(deposit.pk),
        {"from": "draft", "to": "cancelled"},
    )
