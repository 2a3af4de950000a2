"""Fill the benchmark database: 100,000 clients, 150,000 trading accounts, 500,000 money movements.

    DATABASE_URL=postgres://…/crm_perf REDIS_URL=redis://…/12 .venv/bin/python bench/generate_data.py

Runs `migrate` and `demo_data` first (servers, account types, channels, currencies, the staff
user), then inserts with PostgreSQL's COPY (`bulk_create` elsewhere), then spreads the creation times over a year
with one UPDATE per table. Movements are in states that need no ledger journal or platform
operation (submitted/rejected/cancelled/expired deposits, pending/rejected/cancelled withdrawals,
pending/rejected transfers), which is all the list pages and queues read. Two clients are the
benchmark's callers: `bench-1@example.com` (1 account, 1 deposit) and `bench-20@example.com`
(20 of each). Accounts get a snapshot of their figures, as the refresh task would leave it.
Refuses to run on a database that already has the benchmark's clients.
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from clients.models import ClientProfile, KycStatus, KycWay  # noqa: E402
from clients.trading.models import TradingAccount, TradingAccountType  # noqa: E402
from crm.configuration.models import Currency  # noqa: E402
from crm.users.models import User  # noqa: E402
from funds.deposits.models import Deposit  # noqa: E402
from funds.models import Channel  # noqa: E402
from funds.transfers.models import Transfer  # noqa: E402
from funds.withdrawals.models import Withdrawal  # noqa: E402

CLIENTS = 100_000
ACCOUNTS = 150_000
DEPOSITS, WITHDRAWALS, TRANSFERS = 400_000, 60_000, 40_000
BATCH = 5_000
FIRST_LOGIN = 80_000_000
BENCH_PASSWORD = "Bench-Pass-1"
BENCH_CALLERS = {"bench-1@example.com": 1, "bench-20@example.com": 20}


def timed(label: str):
    class Timer:
        def __enter__(self):
            self.start = time.monotonic()

        def __exit__(self, *exc):
            print(f"{label}: {time.monotonic() - self.start:.1f} s", flush=True)

    return Timer()


def insert(model, rows) -> None:
    """Insert unsaved `rows` with PostgreSQL's COPY (bulk_create on any other database).

    Each field prepares its value as a save would (auto_now_add included), so the rows are the
    ones `bulk_create` would write, faster. Producing `rows` must not query the database: the
    COPY holds the connection until it ends.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BATCH)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([field.get_db_prep_save(field.pre_save(row, add=True), connection) for field in fields])


def clients(password_hash: str):
    kyc = [KycStatus.APPROVED] * 6 + [KycStatus.PENDING, KycStatus.FILLING, KycStatus.FILLING, KycStatus.DISAPPROVED]
    now = timezone.now()
    with timed("clients"):
        callers = [(email, f"Bench {count}") for email, count in BENCH_CALLERS.items()]
        others = [(f"client{number:06d}@example.com", f"Client {number}") for number in range(CLIENTS - len(callers))]
        insert(
            User,
            (
                User(email=email, name=name, role=User.Role.CLIENT, password=password_hash, language="en-US")
                for email, name in callers + others
            ),
        )
        # The new clients: the demo's own clients have their profiles already.
        user_ids = list(
            User.objects.filter(role=User.Role.CLIENT, client_profile__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        insert(
            ClientProfile,
            (
                ClientProfile(
                    user_id=user_id,
                    kyc_status=kyc[index % len(kyc)],
                    kyc_way=KycWay.MANUAL if kyc[index % len(kyc)] == KycStatus.APPROVED else "",
                    kyc_approved_at=now if kyc[index % len(kyc)] == KycStatus.APPROVED else None,
                    kyc_submitted_at=now if kyc[index % len(kyc)] == KycStatus.PENDING else None,
                )
                for index, user_id in enumerate(user_ids)
            ),
        )
    return user_ids


def accounts_per_client(user_ids: list[int]) -> list[tuple[int, int]]:
    """(user id, how many accounts): the callers theirs, then 1 or 2 each up to ACCOUNTS."""
    bench_ids = dict(User.objects.filter(email__in=BENCH_CALLERS).values_list("email", "id"))
    plan = [(bench_ids[email], count) for email, count in BENCH_CALLERS.items()]
    others = [user_id for user_id in user_ids if user_id not in bench_ids.values()]
    left = ACCOUNTS - sum(count for _user, count in plan)
    doubles = left - len(others)  # this many clients have two accounts
    plan += [(user_id, 2 if index < doubles else 1) for index, user_id in enumerate(others)]
    return plan


def trading_accounts(user_ids: list[int]) -> None:
    live_type = TradingAccountType.objects.select_related("server").filter(server__is_demo=False).order_by("id").first()
    now = timezone.now()
    with timed("trading accounts"):
        # Planned before the COPY starts: no other query may run on its connection meanwhile.
        plan = accounts_per_client(user_ids)

        def rows():
            login = FIRST_LOGIN
            for user_id, count in plan:
                for _ in range(count):
                    login += 1
                    balance = Decimal(login % 10_000)
                    yield TradingAccount(
                        user_id=user_id,
                        account_type=live_type,
                        server=live_type.server,
                        login=login,
                        currency="USD",
                        leverage=100,
                        is_demo=False,
                        state_balance=balance,
                        state_credit=Decimal(0),
                        state_equity=balance,
                        state_margin=Decimal(0),
                        state_free_margin=balance,
                        state_refreshed_at=now,
                    )

        insert(TradingAccount, rows())


def movements() -> None:
    usd = Currency.objects.get(code="USD")
    deposit_channel = Channel.objects.filter(can_deposit=True).order_by("id").first()
    withdrawal_channel = Channel.objects.filter(can_withdraw=True).order_by("id").first()
    now = timezone.now()
    accounts = list(TradingAccount.objects.filter(login__gt=FIRST_LOGIN).order_by("id").values_list("id", "user_id"))
    by_user: dict[int, list[int]] = {}
    for account_id, user_id in accounts:
        by_user.setdefault(user_id, []).append(account_id)
    bench_ids = set(User.objects.filter(email__in=BENCH_CALLERS).values_list("id", flat=True))
    # The callers' accounts get one deposit each; everyone else's get the rest, round robin.
    bench_accounts = [(account_id, user_id) for account_id, user_id in accounts if user_id in bench_ids]
    other_accounts = [(account_id, user_id) for account_id, user_id in accounts if user_id not in bench_ids]
    deposit_statuses = [Deposit.Status.SUBMITTED, Deposit.Status.CANCELLED, Deposit.Status.EXPIRED] * 3 + [
        Deposit.Status.REJECTED
    ]
    with timed("deposits"):

        def deposits():
            targets = bench_accounts + [
                other_accounts[index % len(other_accounts)] for index in range(DEPOSITS - len(bench_accounts))
            ]
            for number, (account_id, user_id) in enumerate(targets):
                status = deposit_statuses[number % len(deposit_statuses)]
                amount = Decimal(100 + number % 900)
                yield Deposit(
                    order_number=f"BD{number:010d}",
                    user_id=user_id,
                    trading_account_id=account_id,
                    channel=deposit_channel,
                    currency=usd,
                    account_currency=usd,
                    rate=Decimal(1),
                    deposit_amount=amount,
                    fee=Decimal(0),
                    credited_amount=amount,
                    status=status,
                    reason="Receipt unreadable." if status == Deposit.Status.REJECTED else "",
                    expires_at=now,
                    submitted_at=now if status != Deposit.Status.EXPIRED else None,
                )

        insert(Deposit, deposits())
    withdrawal_statuses = [Withdrawal.Status.PENDING, Withdrawal.Status.CANCELLED, Withdrawal.Status.REJECTED]
    with timed("withdrawals"):

        def withdrawals():
            for number in range(WITHDRAWALS):
                account_id, user_id = other_accounts[(number * 7) % len(other_accounts)]
                status = withdrawal_statuses[number % len(withdrawal_statuses)]
                amount = Decimal(50 + number % 500)
                yield Withdrawal(
                    order_number=f"BW{number:010d}",
                    user_id=user_id,
                    trading_account_id=account_id,
                    channel=withdrawal_channel,
                    method=withdrawal_channel.method,
                    account_currency=usd,
                    withdrawal_amount=amount,
                    currency=usd,
                    exchange_rate=Decimal(1),
                    fee=Decimal(0),
                    remittance_amount=amount,
                    payout_details={"bank_name": "Bench Bank", "account_number": f"{number:012d}"},
                    status=status,
                    reason="Documents missing." if status == Withdrawal.Status.REJECTED else "",
                    closed_at=None if status == Withdrawal.Status.PENDING else now,
                )

        insert(Withdrawal, withdrawals())
    with timed("transfers"):
        two_account_users = [
            (user_id, ids) for user_id, ids in by_user.items() if len(ids) >= 2 and user_id not in bench_ids
        ]

        def transfers():
            for number in range(TRANSFERS):
                user_id, (source, target, *_rest) = two_account_users[number % len(two_account_users)]
                rejected = number % 4 == 0
                amount = Decimal(10 + number % 200)
                yield Transfer(
                    order_number=f"BT{number:010d}",
                    user_id=user_id,
                    source_id=source,
                    target_id=target,
                    source_currency=usd,
                    target_currency=usd,
                    amount=amount,
                    rate=Decimal(1),
                    target_amount=amount,
                    status=Transfer.Status.REJECTED if rejected else Transfer.Status.PENDING,
                    reason="Not allowed." if rejected else "",
                    closed_at=now if rejected else None,
                )

        insert(Transfer, transfers())


# (table, creation time column): fixed names, never input.
CREATION_TIMES = [
    ("users_user", "date_joined"),
    ("clients_clientprofile", "created_at"),
    ("trading_tradingaccount", "created_at"),
    ("deposits_deposit", "created_at"),
    ("withdrawals_withdrawal", "created_at"),
    ("transfers_transfer", "created_at"),
]
SPREAD = "now() - (id % 365) * interval '1 day' - (id % 86400) * interval '1 second'"


def spread_creation_times() -> None:
    """Creation times over the last year (auto_now_add gave every row the same one)."""
    with timed("creation times"), connection.cursor() as cursor:
        for table, column in CREATION_TIMES:
            cursor.execute(f"UPDATE {table} SET {column} = {SPREAD}")  # noqa: S608 (constant names)
        cursor.execute("ANALYZE")


def main() -> None:
    started = time.monotonic()
    with timed("migrate and demo data"):
        call_command("migrate", verbosity=0)
        call_command("demo_data", verbosity=0)
    if User.objects.filter(email__in=BENCH_CALLERS).exists():
        sys.exit("The benchmark data is already there; use a fresh database (dropdb/createdb).")
    password_hash = make_password(BENCH_PASSWORD)
    with transaction.atomic():
        user_ids = clients(password_hash)
        trading_accounts(user_ids)
        movements()
    spread_creation_times()
    print(f"done in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
