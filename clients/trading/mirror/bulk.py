"""The set-based SQL of the mirror: a scratch table of platform deals, and statements over it.

Platform deals are loaded into a temporary table (PostgreSQL: COPY; SQLite: one `executemany`),
then one statement copies the new ones into `ClosedDeal` (mapping logins to our trading accounts
with a join, skipping tickets we have with `ON CONFLICT DO NOTHING`), and the re-read's statements
compare them with the mirror. Both databases run the same statements; only the loading differs.

Every insert into `ClosedDeal` takes one transaction-level lock first (PostgreSQL advisory lock;
SQLite has one writer anyway), so mirrored ids are committed in increasing order: a reader that
has seen id N will never later find a newly committed id below N (the commission engine's
`CommissionRunState.last_deal_id` relies on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import connection

from clients.trading.mirror.models import ClosedDeal
from clients.trading.models import TradingAccount
from crm.platforms.gateway import Deal

# Any constant bigint of ours: the key of the advisory lock every mirror insert takes.
INGEST_LOCK_KEY = 8_620_451_370_001
IMPORT_TABLE = "mirror_deal_import"
# (column, PostgreSQL type, SQLite type): SQLite's types give the same affinities as ClosedDeal's columns.
IMPORT_COLUMNS = [
    ("deal_ticket", "bigint", "bigint"),
    ("position_ticket", "bigint", "bigint"),
    ("login", "bigint", "bigint"),
    ("symbol", "varchar(32)", "varchar(32)"),
    ("symbol_group", "varchar(16)", "varchar(16)"),
    ("side", "varchar(4)", "varchar(4)"),
    ("volume_lots", "numeric(12,2)", "decimal"),
    ("open_time", "timestamptz", "datetime"),
    ("open_price", "numeric(20,6)", "decimal"),
    ("close_time", "timestamptz", "datetime"),
    ("close_price", "numeric(20,6)", "decimal"),
    ("profit", "numeric(18,2)", "decimal"),
    ("commission", "numeric(18,2)", "decimal"),
    ("swap", "numeric(18,2)", "decimal"),
    ("spread_cost", "numeric(18,2)", "decimal"),
    ("comment", "varchar(100)", "varchar(100)"),
]
COLUMN_NAMES = [name for name, _postgres, _sqlite in IMPORT_COLUMNS]
COPY_TYPES = [postgres.split("(")[0] for _name, postgres, _sqlite in IMPORT_COLUMNS]
# What a correction on the platform may change, and the re-read compares.
FIGURES = ["volume_lots", "profit", "commission", "swap", "spread_cost", "symbol"]


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def import_table_reset(table: str = IMPORT_TABLE, *, for_session: bool = False) -> None:
    """An empty scratch table: dropped at commit on PostgreSQL, or kept for the session with `for_session`
    (SQLite keeps temporary tables per connection anyway)."""
    with connection.cursor() as cursor:
        if _is_postgresql():
            columns = ", ".join(f"{name} {postgres} NOT NULL" for name, postgres, _sqlite in IMPORT_COLUMNS)
            lifetime = "" if for_session else " ON COMMIT DROP"
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}){lifetime}")
            cursor.execute(f"TRUNCATE {table}")
        else:
            columns = ", ".join(f"{name} {sqlite} NOT NULL" for name, _postgres, sqlite in IMPORT_COLUMNS)
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns})")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a constant name)


def import_table_drop(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def import_table_load(deals: Iterable[Deal], symbol_groups: Mapping[str, str], table: str = IMPORT_TABLE) -> int:
    """Append `deals` to the scratch table; returns how many. Deals without a positive volume are left out."""
    rows = (
        (
            deal.deal_id,
            deal.position_id,
            deal.login,
            deal.symbol,
            symbol_groups.get(deal.symbol, ""),
            str(deal.side),
            deal.volume_lots,
            deal.open_time,
            deal.open_price,
            deal.close_time,
            deal.close_price,
            deal.profit,
            deal.commission,
            deal.swap,
            deal.spread_cost,
            deal.comment,
        )
        for deal in deals
        if deal.volume_lots > 0
    )
    loaded = 0
    with connection.cursor() as cursor:
        if _is_postgresql():
            # Binary COPY: psycopg's C dumpers write numerics and times without making text of them first.
            statement = f"COPY {table} ({', '.join(COLUMN_NAMES)}) FROM STDIN (FORMAT BINARY)"
            with cursor.cursor.copy(statement) as copy:
                copy.set_types(COPY_TYPES)
                for row in rows:
                    copy.write_row(row)
                    loaded += 1
        else:
            adapt_datetime = connection.ops.adapt_datetimefield_value
            adapted = [(*row[:7], adapt_datetime(row[7]), row[8], adapt_datetime(row[9]), *row[10:]) for row in rows]
            placeholders = ", ".join(["%s"] * len(COLUMN_NAMES))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(COLUMN_NAMES)}) VALUES ({placeholders})",  # noqa: S608 (constant names)
                adapted,
            )
            loaded = len(adapted)
    return loaded


def ingest_lock() -> None:
    """Serialise inserts into the mirror until this transaction ends (see the module's docstring)."""
    if _is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INGEST_LOCK_KEY])


def insert_new(*, server_id: int, synced_at: datetime, table: str = IMPORT_TABLE) -> int:
    """Copy the scratch table's deals we do not have into the mirror, oldest first; returns how many are new."""
    deals, accounts = ClosedDeal._meta.db_table, TradingAccount._meta.db_table
    copied = [name for name in COLUMN_NAMES if name != "login"]
    ingest_lock()
    with connection.cursor() as cursor:
        if _is_postgresql():
            # Room to sort a batch in memory (close time order, so ids follow it) rather than on disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the join.
        cursor.execute(
            f"""
            INSERT INTO {deals} (server_id, login, trading_account_id, {", ".join(copied)}, revision, synced_at)
            SELECT %s, i.login, a.id, {", ".join(f"i.{name}" for name in copied)}, 1, %s
            FROM {table} i
            LEFT JOIN {accounts} a ON a.server_id = %s AND a.login = i.login
            WHERE true
            ORDER BY i.close_time, i.deal_ticket
            ON CONFLICT (server_id, deal_ticket) DO NOTHING
            """,  # noqa: S608 (table and column names are ours, values are parameters)
            [server_id, connection.ops.adapt_datetimefield_value(synced_at), server_id],
        )
        return cursor.rowcount


def update_changed(*, server_id: int, table: str) -> int:
    """Give mirrored deals (not vanished) whose figures differ from the scratch table's the new ones, revision + 1."""
    deals = ClosedDeal._meta.db_table
    assignments = ", ".join(f"{name} = i.{name}" for name in [*FIGURES, "symbol_group"])
    differs = " OR ".join(f"d.{name} <> i.{name}" for name in FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {deals} AS d SET {assignments}, revision = d.revision + 1
            FROM {table} i
            WHERE d.server_id = %s AND d.deal_ticket = i.deal_ticket AND d.vanished_at IS NULL AND ({differs})
            """,  # noqa: S608 (table and column names are ours, values are parameters)
            [server_id],
        )
        return cursor.rowcount


def mark_vanished(*, server_id: int, since: datetime, until: datetime, now: datetime, table: str) -> int:
    """Mark the mirrored deals closed in [since, until) that the scratch table does not hold as vanished."""
    deals = ClosedDeal._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {deals} SET vanished_at = %s
            WHERE server_id = %s AND close_time >= %s AND close_time < %s AND vanished_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM {table} i WHERE i.deal_ticket = {deals}.deal_ticket)
            """,  # noqa: S608 (table and column names are ours, values are parameters)
            [adapt(now), server_id, adapt(since), adapt(until)],
        )
        return cursor.rowcount
