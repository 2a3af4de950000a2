"""PostgreSQL holds the ledger's invariants itself, whoever writes the rows (raw SQL included)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from funds.ledger.models import Entry, Journal, LedgerAccount
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import demo_funding_account, fee_income_account, journal_post

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no deferred constraint triggers: there journal_post is the guard (tested in test_journals).",
)
pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture
def accounts(db):
    return demo_funding_account(currency="USD"), fee_income_account(currency="USD")


def raw_journal(key: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journal (kind, reference, memo, idempotency_key, created_at)"
            " VALUES ('adjustment', '', '', %s, now()) RETURNING id",
            [key],
        )
        return cursor.fetchone()[0]


def raw_entry(journal_id: int, account: LedgerAccount, amount: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (journal_id, account_id, amount) VALUES (%s, %s, %s)",
            [journal_id, account.pk, D(amount)],
        )


def test_an_unbalanced_journal_written_with_raw_sql_is_refused_at_commit(accounts):
    first, second = accounts

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        journal_id = raw_journal("raw-1")
        raw_entry(journal_id, first, "100.00")
        raw_entry(journal_id, second, "-99.00")  # accepted here: the check waits for the commit

    assert (Journal.objects.count(), Entry.objects.count()) == (0, 0)


def test_a_balanced_journal_written_with_raw_sql_commits(accounts):
    first, second = accounts

    with transaction.atomic():
        journal_id = raw_journal("raw-2")
        raw_entry(journal_id, first, "100.00")
        raw_entry(journal_id, second, "-100.00")

    assert Entry.objects.filter(journal_id=journal_id).count() == 2


def test_a_journal_without_entries_is_refused_at_commit(accounts):
    with pytest.raises(IntegrityError, match="has no entries"), transaction.atomic():
        raw_journal("raw-3")

    assert Journal.objects.count() == 0


def test_journals_posted_by_the_service_commit(accounts):
    first, second = accounts

    with transaction.atomic():
        journal_post(kind=Journal.Kind.ADJUSTMENT, lines=[(first, D("5")), (second, D("-5"))], idempotency_key="ok")

    assert ledger_balance(account=second) == D("5")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount * 2",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_journal SET memo = 'edited'",
        "DELETE FROM ledger_journal",
        "UPDATE ledger_ledgeraccount SET currency = 'EUR'",
        "UPDATE ledger_ledgeraccount SET kind = 'broker_bank'",
    ],
)
def test_the_ledger_is_append_only(accounts, statement):
    first, second = accounts
    journal = journal_post(
        kind=Journal.Kind.ADJUSTMENT, lines=[(first, D("7")), (second, D("-7"))], idempotency_key="kept"
    )

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    journal.refresh_from_db()
    assert journal.memo == ""
    assert sorted(journal.entries.values_list("amount", flat=True)) == [D("-7"), D("7")]
    assert LedgerAccount.objects.get(pk=first.pk).currency == "USD"


def test_the_orm_cannot_change_or_delete_entries_either(accounts):
    first, second = accounts
    journal = journal_post(
        kind=Journal.Kind.ADJUSTMENT, lines=[(first, D("7")), (second, D("-7"))], idempotency_key="orm"
    )
    entry = journal.entries.first()

    entry.amount = D("8")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()

    assert Entry.objects.get(pk=entry.pk).amount in (D("7"), D("-7"))
    assert ledger_balance(account=second) == D("7")


def test_a_ledger_account_name_may_still_be_changed(accounts):
    first, _second = accounts

    LedgerAccount.objects.filter(pk=first.pk).update(name="Demo money")

    assert LedgerAccount.objects.get(pk=first.pk).name == "Demo money"
