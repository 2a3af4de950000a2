"""journal_post: balanced journals only, once per idempotency key; balances derived from entries."""

from decimal import Decimal

import pytest
from django.db import transaction

from clients.trading.tests.factories import TradingAccountFactory
from funds.ledger.errors import LedgerConflict, LedgerError, UnbalancedJournal
from funds.ledger.models import Entry, Journal, LedgerAccount
from funds.ledger.selectors import journals_for, ledger_balance, ledger_balances
from funds.ledger.services import (
    broker_bank_account,
    client_hold_account,
    client_trading_account,
    demo_funding_account,
    exchange_lines,
    fee_income_account,
    fx_conversion_account,
    journal_post,
    journal_reverse,
    platform_clearing_account,
)
from funds.tests.factories import ChannelFactory, currency

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def trading_account(db):
    currency("USD")
    return TradingAccountFactory()


@pytest.fixture
def bank(db):
    return broker_bank_account(channel=ChannelFactory(), currency="USD")


@pytest.fixture
def client_account(trading_account):
    return client_trading_account(trading_account=trading_account)


def post(lines, key="key-1", **kwargs):
    return journal_post(kind=Journal.Kind.DEPOSIT, lines=lines, reference="test:1", idempotency_key=key, **kwargs)


def test_a_balanced_journal_is_written_with_its_entries(bank, client_account, user):
    journal = post([(bank, D("100.00")), (client_account, D("-100.00"))], memo="first", by=user)

    assert (journal.kind, journal.reference, journal.memo, journal.created_by) == ("deposit", "test:1", "first", user)
    assert sorted(journal.entries.values_list("account__code", "amount")) == [
        (bank.code, D("100.00")),
        (client_account.code, D("-100.00")),
    ]
    # Balances on each account's normal side: the bank (an asset) and the client (what we owe) both +100.
    assert ledger_balance(account=bank) == D("100.00")
    assert ledger_balance(account=client_account) == D("100.00")
    assert ledger_balances(accounts=[bank, client_account]) == {bank.pk: D("100.00"), client_account.pk: D("100.00")}


def test_the_reference_of_a_model_is_its_label_and_id(bank, client_account, trading_account):
    journal = journal_post(
        kind=Journal.Kind.ADJUSTMENT,
        lines=[(bank, D("1")), (client_account, D("-1"))],
        reference=trading_account,
        idempotency_key="ref",
    )

    assert journal.reference == f"trading.tradingaccount:{trading_account.pk}"
    assert list(journals_for(reference=journal.reference)) == [journal]


@pytest.mark.parametrize(
    ("amounts", "error", "code"),
    [
        (["100.00", "-99.99"], UnbalancedJournal, "journal_unbalanced"),
        (["100.00"], LedgerError, "journal_invalid"),
        (["0", "0"], LedgerError, "journal_invalid"),
        (["0.000000001", "-0.000000001"], LedgerError, "journal_invalid"),
        (["1000000000000", "-1000000000000"], LedgerError, "journal_invalid"),
    ],
)
def test_a_bad_journal_is_refused_and_nothing_is_written(bank, client_account, amounts, error, code):
    lines = [(account, D(amount)) for account, amount in zip([bank, client_account], amounts, strict=False)]

    with pytest.raises(error) as refused:
        post(lines)

    assert refused.value.code == code
    assert (Journal.objects.count(), Entry.objects.count()) == (0, 0)
    assert ledger_balance(account=bank) == 0


def test_floats_are_refused(bank, client_account):
    with pytest.raises(LedgerError, match="Decimals"):
        post([(bank, 1.5), (client_account, D("-1.5"))])

    assert Journal.objects.count() == 0


def test_each_currency_must_balance_on_its_own(bank):
    cny_bank = broker_bank_account(channel=bank.channel, currency="CNY")

    with pytest.raises(UnbalancedJournal) as refused:
        post([(bank, D("10.00")), (cny_bank, D("-10.00"))])

    assert refused.value.code == "journal_unbalanced"
    assert "CNY -10.00" in refused.value.message and "USD +10.00" in refused.value.message
    assert Journal.objects.count() == 0


def test_a_conversion_goes_through_the_fx_accounts_of_both_currencies(bank, client_account):
    cny_bank = broker_bank_account(channel=bank.channel, currency="CNY")

    journal = post(
        exchange_lines(debit=cny_bank, debit_amount=D("720.00"), credit=client_account, credit_amount=D("100.00"))
    )

    assert sorted(journal.entries.values_list("account__code", "amount")) == [
        (cny_bank.code, D("720.00")),
        (client_account.code, D("-100.00")),
        ("fx_conversion:CNY", D("-720.00")),
        ("fx_conversion:USD", D("100.00")),
    ]
    assert ledger_balance(account=client_account) == D("100.00")


def test_the_same_idempotency_key_gives_the_same_journal_once(bank, client_account):
    lines = [(bank, D("50.00")), (client_account, D("-50.00"))]

    first = post(lines)
    again = post(list(reversed(lines)))

    assert again == first
    assert (Journal.objects.count(), Entry.objects.count()) == (1, 2)
    assert ledger_balance(account=client_account) == D("50.00")


def test_the_same_key_for_other_money_is_refused(bank, client_account):
    post([(bank, D("50.00")), (client_account, D("-50.00"))])

    with pytest.raises(LedgerConflict) as refused:
        post([(bank, D("60.00")), (client_account, D("-60.00"))])

    assert (refused.value.status, refused.value.code) == (409, "journal_idempotency_key_reused")
    assert (Journal.objects.count(), ledger_balance(account=client_account)) == (1, D("50.00"))


def test_a_correction_is_a_new_journal_that_reverses_the_first_once(bank, client_account, user):
    journal = post([(bank, D("80.00")), (client_account, D("-80.00"))])

    correction = journal_reverse(journal=journal, by=user, memo="posted twice by mistake")
    again = journal_reverse(journal=journal, by=user, memo="posted twice by mistake")

    assert again == correction
    assert (correction.kind, correction.reverses, correction.idempotency_key) == (
        "correction",
        journal,
        f"reverse:{journal.pk}",
    )
    assert sorted(correction.entries.values_list("account__code", "amount")) == [
        (bank.code, D("-80.00")),
        (client_account.code, D("80.00")),
    ]
    assert ledger_balance(account=client_account) == ledger_balance(account=bank) == 0
    assert journal.entries.count() == 2  # the first journal is untouched
    with pytest.raises(LedgerConflict) as refused:
        journal_reverse(journal=journal, by=user, memo="again", idempotency_key="another")
    assert refused.value.code == "journal_already_reversed"
    assert Journal.objects.count() == 2


def test_the_chart_gives_each_account_once_with_a_derived_code(trading_account, bank):
    server = trading_account.server

    accounts = [
        client_trading_account(trading_account=trading_account),
        client_hold_account(trading_account=trading_account),
        fee_income_account(currency="usd"),
        fx_conversion_account(currency="USD"),
        demo_funding_account(currency="USD"),
        platform_clearing_account(server=server, currency="USD"),
    ]
    again = client_trading_account(trading_account=trading_account)

    assert [account.code for account in accounts] == [
        f"client_trading:{trading_account.pk}",
        f"client_hold:{trading_account.pk}",
        "fee_income:USD",
        "fx_conversion:USD",
        "demo_funding:USD",
        f"platform_clearing:{server.pk}:USD",
    ]
    assert bank.code == f"broker_bank:{bank.channel_id}:USD"
    assert again == accounts[0]
    assert LedgerAccount.objects.count() == 7
    assert {account.currency for account in accounts} == {"USD"}


def test_posting_joins_the_callers_transaction(bank, client_account):
    with pytest.raises(RuntimeError), transaction.atomic():
        post([(bank, D("5.00")), (client_account, D("-5.00"))])
        raise RuntimeError("the money service failed after posting")

    assert Journal.objects.count() == 0
