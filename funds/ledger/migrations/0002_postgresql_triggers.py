"""The ledger's invariants held by PostgreSQL itself, whoever writes the rows (django-hordak's way).

- A journal's entries sum to zero in each currency, and a journal has entries: checked by
  constraint triggers DEFERRABLE INITIALLY DEFERRED, i.e. at commit, once every entry is in.
- Journals and entries are append-only: UPDATE and DELETE are refused (a correction is a new journal).
- A ledger account keeps its kind and currency once created.

SQLite has no deferred triggers; there `journal_post` is the guard.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION ledger_check_journal_balanced() RETURNS trigger AS $$
DECLARE
    target_journal bigint;
    unbalanced RECORD;
BEGIN
    IF TG_TABLE_NAME = 'ledger_journal' THEN
        target_journal := NEW.id;
    ELSE
        target_journal := NEW.journal_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM ledger_entry WHERE journal_id = target_journal) THEN
        RAISE EXCEPTION 'Ledger journal % has no entries.', target_journal USING ERRCODE = 'check_violation';
    END IF;
    SELECT account.currency, SUM(entry.amount) AS total INTO unbalanced
        FROM ledger_entry entry JOIN ledger_ledgeraccount account ON account.id = entry.account_id
        WHERE entry.journal_id = target_journal
        GROUP BY account.currency
        HAVING SUM(entry.amount) <> 0
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'Ledger journal % does not balance: % % off.', target_journal, unbalanced.total,
            unbalanced.currency USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The ledger is append-only: % on % refused; post a correcting journal instead.',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE CONSTRAINT TRIGGER ledger_entry_journal_balanced
    AFTER INSERT OR UPDATE ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced();

CREATE CONSTRAINT TRIGGER ledger_journal_has_entries
    AFTER INSERT ON ledger_journal
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced();

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_journal_append_only
    BEFORE UPDATE OR DELETE ON ledger_journal
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_account_kind_and_currency_fixed
    BEFORE UPDATE ON ledger_ledgeraccount
    FOR EACH ROW
    WHEN (OLD.currency IS DISTINCT FROM NEW.currency OR OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION ledger_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_account_kind_and_currency_fixed ON ledger_ledgeraccount;
DROP TRIGGER IF EXISTS ledger_journal_append_only ON ledger_journal;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_journal_has_entries ON ledger_journal;
DROP TRIGGER IF EXISTS ledger_entry_journal_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP FUNCTION IF EXISTS ledger_check_journal_balanced();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the SQL's own % signs are not placeholders.
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(_on_postgresql(FUNCTIONS + TRIGGERS), _on_postgresql(DROP)),
    ]
