"""Benchmark data of the IB issue: a three-level IB tree on one plan, clients with one trading
account each, and their mirrored closed deals, inserted with PostgreSQL's COPY.

`generate_ib_deals(n_deals, n_clients)` is shared by the benchmarks of the commission engine
(`bench/ib_commissions.py`) and of the whole IB pipeline. It expects a migrated database without
IB benchmark data (emails `ib-bench-…`), and on anything but PostgreSQL it falls back to
`bulk_create` (small numbers only). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from clients.trading.models import ClosedDeal, TradingAccount, TradingAccountType
from crm.platforms.models import TradingServer
from crm.users.models import User
from ib.models import ClientAttribution, IbAncestry, IbProfile, RebatePlan, RebatePlanVersion, RebateRate

MASTERS, SUBS_PER_MASTER, BOTTOMS_PER_SUB = 1, 10, 10  # 1 + 10 + 100 IBs
FIRST_LOGIN = 60_000_000
FIRST_TICKET = 900_000_000
# symbol, group, price, whether it is the symbol override of the plan
SYMBOLS = [
    ("EURUSD", "forex", Decimal("1.08000")),
    ("GBPUSD", "forex", Decimal("1.27000")),
    ("USDJPY", "forex", Decimal("148.500")),
    ("XAUUSD", "metals", Decimal("2030.00")),
    ("US30", "indices", Decimal("38000.0")),
    ("BTCUSD", "crypto", Decimal("43000.0")),
]
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 5_000


@dataclass(frozen=True)
class IbBenchData:
    server_id: int
    plan_id: int
    version_id: int
    ib_ids: list[int]  # masters, then subs, then bottom IBs
    client_ids: list[int]
    deals: int
    first_deal_id: int
    last_deal_id: int


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY plain tuples (values in `columns` order) into `model`'s table; bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH)
        return
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _users(prefix: str, count: int, role: str) -> list[int]:
    now = timezone.now()
    copy_rows(
        User,
        [
            "email",
            "name",
            "role",
            "password",
            "language",
            "status",
            "password_strength",
            "date_joined",
            "is_superuser",
            "phone",
            "time_zone",
        ],
        (
            (
                f"{prefix}{number:06d}@example.com",
                f"{prefix}{number}",
                role,
                "!",
                "en-US",
                "enabled",
                "",
                now,
                False,
                "",
                "",
            )
            for number in range(count)
        ),
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("id").values_list("id", flat=True))


def _tree(plan: RebatePlan) -> list[IbProfile]:
    """1 master, 10 subs, 100 bottom IBs, all on `plan`, with their closure rows."""
    user_ids = iter(_users("ib-bench-ib-", MASTERS * (1 + SUBS_PER_MASTER * (1 + BOTTOMS_PER_SUB)), User.Role.IB))
    profiles: list[IbProfile] = []
    ancestry: list[IbAncestry] = []

    def add(parent: IbProfile | None) -> IbProfile:
        profile = IbProfile.objects.create(
            user_id=next(user_ids), parent=parent, plan=plan, referral_code=f"BENCH{len(profiles):05d}"
        )
        ancestry.append(IbAncestry(ib=profile, ancestor=profile, depth=0))
        up, depth = parent, 1
        while up is not None:
            ancestry.append(IbAncestry(ib=profile, ancestor=up, depth=depth))
            up, depth = up.parent, depth + 1
        profiles.append(profile)
        return profile

    for _ in range(MASTERS):
        master = add(None)
        for _ in range(SUBS_PER_MASTER):
            sub = add(master)
            for _ in range(BOTTOMS_PER_SUB):
                add(sub)
    IbAncestry.objects.bulk_create(ancestry)
    return profiles


def _plan(account_type: TradingAccountType) -> tuple[RebatePlan, RebatePlanVersion]:
    plan = RebatePlan.objects.create(name="IB bench plan")
    version = RebatePlanVersion.objects.create(
        plan=plan,
        number=1,
        status=RebatePlanVersion.Status.PUBLISHED,
        effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        published_at=timezone.now(),
        cap_per_lot=Decimal("9"),
    )
    rates = [
        RebateRate(version=version, level=0, per_lot=Decimal("5"), commission_percent=Decimal("10")),
        RebateRate(version=version, level=0, symbol_group="forex", per_lot=Decimal("6")),
        RebateRate(version=version, level=0, symbol_group="forex", account_type=account_type, per_lot=Decimal("6.5")),
        RebateRate(version=version, level=0, symbol_group="metals", per_lot=Decimal("7"), spread_percent=Decimal("5")),
        RebateRate(version=version, level=0, symbol="XAUUSD", per_lot=Decimal("7.25")),
        RebateRate(version=version, level=1, per_lot=Decimal("2")),
        RebateRate(version=version, level=1, symbol_group="crypto", per_lot=Decimal("1.5")),
        RebateRate(version=version, level=2, per_lot=Decimal("1")),
    ]
    RebateRate.objects.bulk_create(rates)
    return plan, version


@transaction.atomic
def generate_ib_deals(n_deals: int, n_clients: int, *, seed: int = 8) -> IbBenchData:
    """The tree, `n_clients` clients (nine in ten under a bottom IB, the rest under a sub IB, so
    chains are 3 and 2 levels long), one account each, and `n_deals` deals closed over 2025."""
    randomizer = random.Random(seed)  # noqa: S311 (benchmark data, not secrets)
    server = TradingServer.objects.create(
        name="IB bench server", login_range_start=FIRST_LOGIN, login_range_end=FIRST_LOGIN + 10_000_000
    )
    account_type = TradingAccountType.objects.create(
        name_i18n={"zh-CN": "基准账户", "en-US": "Bench"}, server=server, group="real\\bench", currencies=["USD"]
    )
    plan, version = _plan(account_type)
    profiles = _tree(plan)
    subs = [profile for profile in profiles if profile.parent_id and profile.parent.parent_id is None]
    bottoms = [profile for profile in profiles if profile.parent_id and profile.parent.parent_id is not None]
    client_ids = _users("ib-bench-client-", n_clients, User.Role.CLIENT)
    owners = [
        subs[number % len(subs)] if number % 10 == 9 else bottoms[number % len(bottoms)] for number in range(n_clients)
    ]
    ClientAttribution.objects.bulk_create(
        (
            ClientAttribution(
                client_id=client_id, ib=owner, effective_from=datetime(2024, 1, 1, tzinfo=UTC), source="staff"
            )
            for client_id, owner in zip(client_ids, owners, strict=True)
        ),
        batch_size=BATCH,
    )
    now = timezone.now()
    copy_rows(
        TradingAccount,
        [
            "user_id",
            "account_type_id",
            "server_id",
            "login",
            "currency",
            "leverage",
            "is_demo",
            "status",
            "created_at",
            "updated_at",
        ],
        (
            (client_id, account_type.pk, server.pk, FIRST_LOGIN + index, "USD", 100, False, "active", now, now)
            for index, client_id in enumerate(client_ids)
        ),
    )
    accounts = list(TradingAccount.objects.filter(server=server).order_by("login").values_list("id", "login"))

    def deals():
        seconds_in_year = 365 * 86400
        for number in range(n_deals):
            account_id, login = accounts[randomizer.randrange(len(accounts))]
            symbol, group, price = SYMBOLS[randomizer.randrange(len(SYMBOLS))]
            lots = Decimal(randomizer.randint(1, 500)) / 100
            close_time = YEAR_START + timedelta(seconds=randomizer.randrange(seconds_in_year))
            ticket = FIRST_TICKET + number
            yield (
                server.pk,
                ticket,
                ticket,
                login,
                account_id,
                symbol,
                group,
                "buy" if number % 2 else "sell",
                lots,
                close_time - timedelta(minutes=randomizer.randint(1, 600)),
                price,
                close_time,
                price,
                Decimal(randomizer.randint(-50_000, 50_000)) / 100,
                -lots * 7,
                Decimal("0.00"),
                (lots * Decimal("8.5")).quantize(Decimal("0.01")),
                "",
                1,
                None,
                now,
            )

    copy_rows(
        ClosedDeal,
        [
            "server_id",
            "deal_ticket",
            "position_ticket",
            "login",
            "trading_account_id",
            "symbol",
            "symbol_group",
            "side",
            "volume_lots",
            "open_time",
            "open_price",
            "close_time",
            "close_price",
            "profit",
            "commission",
            "swap",
            "spread_cost",
            "comment",
            "revision",
            "vanished_at",
            "synced_at",
        ],
        deals(),
    )
    ids = ClosedDeal.objects.filter(server=server).order_by("id").values_list("id", flat=True)
    return IbBenchData(
        server_id=server.pk,
        plan_id=plan.pk,
        version_id=version.pk,
        ib_ids=[profile.pk for profile in profiles],
        client_ids=client_ids,
        deals=n_deals,
        first_deal_id=ids.first() or 0,
        last_deal_id=ids.last() or 0,
    )
