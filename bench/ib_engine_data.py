"""The IB benchmark's data: a three-level IB tree over 10,000 clients with one live account each,
a published three-level plan, and a deterministic stream of closed deals over the past year.

Used by `bench/ib_engine.py` (and its tests, on small numbers).

The tree: a master IB with 10 sub-IBs, each with 10 sub-sub-IBs (111 IBs, all on the plan). Of the
clients, 40 % are the master's own, 20 % spread over the sub-IBs and 40 % over the sub-sub-IBs, so
the master is the biggest IB (its own 4,000 clients, 10,000 with its downline).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from random import Random

from django.db import connection, transaction
from django.utils import timezone

from clients.models import ClientProfile, KycStatus, KycWay
from clients.trading.models import TradingAccount, TradingAccountType
from crm.configuration.models import Currency
from crm.platforms.models import TradingServer
from crm.users.models import User
from ib.models import (
    ClientAttribution,
    IbAncestry,
    IbProfile,
    RebateAccount,
    RebatePlan,
    RebatePlanVersion,
    RebateRate,
)

D = Decimal
SERVER_NAME = "Bench IB server"
MASTER_EMAIL = "bench-master-ib@example.com"
FIRST_LOGIN = 60_000_000
SUBS, SUBS_EACH = 10, 10
# symbol: (group, weight, price, contract size, spread cost per lot, commission per lot)
SYMBOLS = {
    "EURUSD": ("forex", 20, D("1.08500"), 100_000, D("8.00"), D("-7.00")),
    "GBPUSD": ("forex", 10, D("1.27000"), 100_000, D("10.00"), D("-7.00")),
    "USDJPY": ("forex", 10, D("150.000"), 100_000, D("9.00"), D("-7.00")),
    "XAUUSD": ("metals", 18, D("2350.00"), 100, D("25.00"), D("-10.00")),
    "XAGUSD": ("metals", 4, D("28.000"), 5_000, D("15.00"), D("-10.00")),
    "US30": ("indices", 6, D("39000.0"), 1, D("2.00"), D("0.00")),
    "NAS100": ("indices", 8, D("18000.0"), 1, D("1.50"), D("0.00")),
    "BTCUSD": ("crypto", 5, D("65000.00"), 1, D("30.00"), D("0.00")),
}
LOTS = [D(value) for value in ("0.01", "0.05", "0.10", "0.10", "0.20", "0.50", "0.50", "1.00", "1.00", "2.00", "5.00")]
# level → {group or SYMBOL: per lot}; crypto pays 20 % of the spread at level 0 instead.
RATES = {
    0: {"forex": D("8"), "metals": D("10"), "indices": D("4"), "XAUUSD": D("9")},
    1: {"forex": D("2"), "metals": D("3"), "indices": D("1"), "XAUUSD": D("3")},
    2: {"forex": D("1"), "metals": D("1.5"), "indices": D("0.5"), "XAUUSD": D("1.5")},
}
CAP_PER_LOT, MINIMUM_PAYOUT, CRYPTO_SPREAD_PERCENT = D("12"), D("20"), D("20")
# The columns of a deal row, in the order `deal_rows` yields them.
DEAL_COLUMNS = (
    "deal_ticket",
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
)


@dataclass(frozen=True)
class BenchNetwork:
    server: TradingServer
    master: IbProfile
    version: RebatePlanVersion
    # (trading account id, login) of every client, in login order.
    accounts: list[tuple[int, int]]
    since: datetime
    until: datetime

    @property
    def symbol_groups(self) -> dict[str, str]:
        return {symbol: spec[0] for symbol, spec in SYMBOLS.items()}


def _users(emails: Sequence[str], role: str) -> list[int]:
    User.objects.bulk_create([User(email=email, name=email.split("@")[0], role=role) for email in emails], 5_000)
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
    return [ids[email] for email in emails]


def _accounts(user_ids: Sequence[int], account_type: TradingAccountType, first_login: int) -> list[tuple[int, int]]:
    TradingAccount.objects.bulk_create(
        [
            TradingAccount(
                user_id=user_id,
                account_type=account_type,
                server_id=account_type.server_id,
                login=first_login + index,
                currency="USD",
                leverage=100,
                is_demo=False,
            )
            for index, user_id in enumerate(user_ids)
        ],
        5_000,
    )
    logins = range(first_login, first_login + len(user_ids))
    rows = TradingAccount.objects.filter(server_id=account_type.server_id, login__in=logins).order_by("login")
    return list(rows.values_list("id", "login"))


def _tree(user_ids: list[int], plan: RebatePlan) -> list[IbProfile]:
    """Master, its sub-IBs, their sub-sub-IBs, in that order, with their closure rows."""
    master = IbProfile.objects.create(user_id=user_ids[0], referral_code="BENCH0", plan=plan)
    ancestry = [IbAncestry(ib=master, ancestor=master, depth=0)]
    ibs, position = [master], 1
    for _sub in range(SUBS):
        sub = IbProfile.objects.create(
            user_id=user_ids[position], parent=master, referral_code=f"BENCH{position}", plan=plan
        )
        position += 1
        ancestry += [IbAncestry(ib=sub, ancestor=sub, depth=0), IbAncestry(ib=sub, ancestor=master, depth=1)]
        ibs.append(sub)
        for _each in range(SUBS_EACH):
            leaf = IbProfile.objects.create(
                user_id=user_ids[position], parent=sub, referral_code=f"BENCH{position}", plan=plan
            )
            position += 1
            ancestry += [
                IbAncestry(ib=leaf, ancestor=leaf, depth=0),
                IbAncestry(ib=leaf, ancestor=sub, depth=1),
                IbAncestry(ib=leaf, ancestor=master, depth=2),
            ]
            ibs.append(leaf)
    IbAncestry.objects.bulk_create(ancestry)
    return ibs


def _plan(since: datetime) -> RebatePlanVersion:
    plan = RebatePlan.objects.create(name="Bench three-level plan", currency="USD")
    version = RebatePlanVersion.objects.create(
        plan=plan,
        number=1,
        status=RebatePlanVersion.Status.PUBLISHED,
        effective_from=since,
        cap_per_lot=CAP_PER_LOT,
        minimum_payout=MINIMUM_PAYOUT,
        published_at=timezone.now(),
    )
    rates = [
        RebateRate(
            version=version,
            level=level,
            symbol=target if target.isupper() else "",
            symbol_group="" if target.isupper() else target,
            per_lot=per_lot,
        )
        for level, targets in RATES.items()
        for target, per_lot in targets.items()
    ]
    rates.append(RebateRate(version=version, level=0, symbol_group="crypto", spread_percent=CRYPTO_SPREAD_PERCENT))
    RebateRate.objects.bulk_create(rates)
    return version


def owners(clients: int, ibs: Sequence[IbProfile]) -> list[IbProfile]:
    """The IB of each client: 40 % the master, 20 % the sub-IBs, 40 % the sub-sub-IBs."""
    master = ibs[0]
    subs = [ib for ib in ibs if ib.parent_id == master.pk]
    leaves = [ib for ib in ibs if ib.parent_id not in (None, master.pk)]
    return [
        master
        if index < clients * 4 // 10
        else subs[index % len(subs)]
        if index < clients * 6 // 10
        else leaves[index % len(leaves)]
        for index in range(clients)
    ]


@transaction.atomic
def build_network(*, clients: int = 10_000, days: int = 365) -> BenchNetwork:
    """The server, account type, plan, IB tree, clients (KYC approved, one live account each, attributed
    since before the first deal) and a live rebate account per IB."""
    until = timezone.now().replace(microsecond=0)
    since = until - timedelta(days=days)
    # Payouts are made in currencies the company has set up (their precision).
    Currency.objects.get_or_create(code="USD", defaults={"name": "US Dollar", "symbol": "$", "precision": 2})
    server = TradingServer.objects.create(
        name=SERVER_NAME,
        platform=TradingServer.Platform.MT5,
        adapter="simulator",
        login_range_start=FIRST_LOGIN,
        login_range_end=FIRST_LOGIN + 9_999_999,
    )
    account_type = TradingAccountType.objects.create(
        server=server, group="real\\bench", name_i18n={"en-US": "Bench", "zh-CN": "基准"}, currencies=["USD"]
    )
    version = _plan(since - timedelta(days=1))
    ib_count = 1 + SUBS + SUBS * SUBS_EACH
    ib_emails = [MASTER_EMAIL] + [f"bench-ib{number:03d}@example.com" for number in range(1, ib_count)]
    ibs = _tree(_users(ib_emails, User.Role.IB), version.plan)
    rebate_accounts = _accounts([ib.user_id for ib in ibs], account_type, FIRST_LOGIN + clients)
    RebateAccount.objects.bulk_create(
        RebateAccount(ib=ib, trading_account_id=account_id)
        for ib, (account_id, _login) in zip(ibs, rebate_accounts, strict=True)
    )
    client_ids = _users([f"bench-ib-client{number:05d}@example.com" for number in range(clients)], User.Role.CLIENT)
    approved, owner = timezone.now(), owners(clients, ibs)
    ClientProfile.objects.bulk_create(
        [
            ClientProfile(
                user_id=user_id,
                kyc_status=KycStatus.APPROVED,
                kyc_way=KycWay.MANUAL,
                kyc_approved_at=approved,
                invite_code=owner[index].referral_code,
            )
            for index, user_id in enumerate(client_ids)
        ],
        5_000,
    )
    ClientAttribution.objects.bulk_create(
        [
            ClientAttribution(client_id=user_id, ib=owner[index], effective_from=since - timedelta(days=1))
            for index, user_id in enumerate(client_ids)
        ],
        5_000,
    )
    accounts = _accounts(client_ids, account_type, FIRST_LOGIN)
    return BenchNetwork(server=server, master=ibs[0], version=version, accounts=accounts, since=since, until=until)


def deal_rows(network: BenchNetwork, *, count: int, first_ticket: int = 1, seed: int = 8) -> Iterator[tuple]:
    """`count` closed deals, deterministic for a seed, spread evenly over the network's year, in close
    time order; each a tuple of `DEAL_COLUMNS`."""
    rng = Random(seed)  # noqa: S311 - deterministic test data, not a secret
    symbols = list(SYMBOLS)
    weights = [SYMBOLS[symbol][1] for symbol in symbols]
    span = (network.until - network.since).total_seconds()
    accounts = network.accounts
    for number in range(count):
        symbol = rng.choices(symbols, weights)[0]
        group, _weight, price, contract, spread, commission = SYMBOLS[symbol]
        lots = rng.choice(LOTS)
        account_id, login = accounts[rng.randrange(len(accounts))]
        close_time = network.since + timedelta(seconds=int(span * number / count))
        open_time = close_time - timedelta(minutes=rng.randrange(1, 600))
        move = D(rng.randrange(-300, 301)) / 10_000
        close_price = (price * (1 + move)).quantize(price)
        side = "buy" if rng.random() < 0.5 else "sell"
        direction = 1 if side == "buy" else -1
        profit = ((close_price - price) * contract * lots * direction).quantize(D("0.01"))
        yield (
            first_ticket + number,
            login,
            account_id,
            symbol,
            group,
            side,
            lots,
            open_time,
            price,
            close_time,
            close_price,
            profit,
            (commission * lots).quantize(D("0.01")),
            D("0.00"),
            (spread * lots).quantize(D("0.01")),
        )


def batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def gateway_deal(row: tuple):
    """A deal row as the platform gateway returns it (what `deals_ingest` takes)."""
    from crm.platforms.gateway import Deal

    values = dict(zip(DEAL_COLUMNS, row, strict=True))
    return Deal(
        deal_id=values["deal_ticket"],
        position_id=values["deal_ticket"],
        login=values["login"],
        symbol=values["symbol"],
        side=values["side"],
        volume_lots=values["volume_lots"],
        open_time=values["open_time"],
        open_price=values["open_price"],
        close_time=values["close_time"],
        close_price=values["close_price"],
        profit=values["profit"],
        commission=values["commission"],
        swap=values["swap"],
        spread_cost=values["spread_cost"],
    )


MIRROR_COLUMNS = ("server_id", "position_ticket", "comment", "revision", "synced_at", *DEAL_COLUMNS)


def mirror_values(network: BenchNetwork, row: tuple, synced_at: datetime) -> tuple:
    """A deal row as the mirror table holds it (`MIRROR_COLUMNS`)."""
    return (network.server.pk, row[0], "", 1, synced_at, *row)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Write `rows` into `table`: PostgreSQL's COPY, else one `executemany`. Returns the row count."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY's text format written in chunks: psycopg's write_row adapts value by value, 5× slower.
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for chunk in batches(rows, 10_000):
                    copy.write("".join("\t".join(map(_copy_text, row)) + "\n" for row in chunk))
                    count += len(chunk)
            return count
        listed = [tuple(_sqlite_value(value) for value in row) for row in rows]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", listed)  # noqa: S608
        return len(listed)


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _copy_text(value: object) -> str:
    """One value in COPY's text format (our values: numbers, times, and text without tabs or newlines)."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") if isinstance(value, str) else text
