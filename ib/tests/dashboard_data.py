"""A small IB business across days, for the dashboard, chart and portal tests.

Done movements are written as rows in their final state (a credited deposit, a paid withdrawal, a paid
payout, with the journal and platform operation the database requires of them): the figures read
only statuses and timestamps, and going through the approval services would test the funds app
again, not the dashboard.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from clients.trading.models import ClosedDeal, TradingAccount
from clients.trading.tests.factories import ClosedDealFactory, TradingAccountFactory, client_user
from crm.platforms.tests.factories import PlatformOperationFactory
from crm.users.models import User
from crm.users.tests.factories import StaffFactory
from funds.deposits.models import Deposit
from funds.ledger.models import Journal
from funds.ledger.services import demo_funding_account, fee_income_account, journal_post
from funds.tests.factories import ChannelFactory, currency
from funds.withdrawals.models import Withdrawal
from ib.models import ClientAttribution, CommissionLine, IbProfile, RebateAccount, RebatePayout
from ib.tests.factories import (
    ClientAttributionFactory,
    IbProfileFactory,
    RebateAccountFactory,
    RebatePlanFactory,
    RebatePlanVersionFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def shanghai(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in the company's time zone (the default company's: Asia/Shanghai, UTC+8)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def _journal(kind: str) -> Journal:
    """A balanced journal (PostgreSQL refuses one without entries); its accounts do not matter here."""
    lines = [
        (fee_income_account(currency="USD"), Decimal("1.00")),
        (demo_funding_account(currency="USD"), Decimal("-1.00")),
    ]
    return journal_post(kind=kind, lines=lines, idempotency_key=f"dashboard-test-{next(_numbers)}")


def credited_deposit(*, account: TradingAccount, amount: str, at: dt.datetime, status: str = "credited") -> Deposit:
    usd = currency("USD")
    done = status == Deposit.Status.CREDITED
    return Deposit.objects.create(
        order_number=f"D-DASH-{next(_numbers)}",
        user=account.user,
        trading_account=account,
        channel=ChannelFactory(),
        currency=usd,
        account_currency=usd,
        deposit_amount=Decimal(amount),
        rate=Decimal(1),
        credited_amount=Decimal(amount),
        status=status,
        expires_at=at + dt.timedelta(days=1),
        submitted_at=at,
        decided_at=at if done else None,
        credited_at=at if done else None,
        journal=_journal(Journal.Kind.DEPOSIT) if done else None,
        operation=PlatformOperationFactory(server=account.server) if done else None,
    )


def paid_withdrawal(*, account: TradingAccount, amount: str, at: dt.datetime, status: str = "paid") -> Withdrawal:
    usd = currency("USD")
    done = status == Withdrawal.Status.PAID
    decided = status in (Withdrawal.Status.APPROVED, Withdrawal.Status.PAID)
    return Withdrawal.objects.create(
        order_number=f"W-DASH-{next(_numbers)}",
        user=account.user,
        trading_account=account,
        channel=ChannelFactory(),
        method="bank_transfer",
        account_currency=usd,
        withdrawal_amount=Decimal(amount),
        currency=usd,
        exchange_rate=Decimal(1),
        remittance_amount=Decimal(amount),
        status=status,
        decided_by=StaffFactory() if decided else None,
        decided_at=at if decided else None,
        paid_at=at if done else None,
        payout_journal=_journal(Journal.Kind.WITHDRAWAL_PAYOUT) if done else None,
        payment_reference="BANK-REF" if done else "",
    )


def commission_line(
    *, ib: IbProfile, deal: ClosedDeal, amount: str, at: dt.datetime, level: int = 0, reverses=None
) -> CommissionLine:
    plan_version = RebatePlanVersionFactory()
    return CommissionLine.objects.create(
        deal=deal,
        deal_revision=deal.revision,
        ib=ib,
        client=deal.trading_account.user,
        level=level,
        kind=CommissionLine.Kind.REVERSAL if reverses else CommissionLine.Kind.COMMISSION,
        reverses=reverses,
        plan_version=plan_version,
        lots=deal.volume_lots,
        amount=Decimal(amount),
        currency="USD",
        calculated_at=at,
    )


def rebate_payout(*, ib: IbProfile, amount: str, at: dt.datetime, status: str = "paid") -> RebatePayout:
    rebate_account = RebateAccount.objects.filter(ib=ib, is_enabled=True).first() or RebateAccountFactory(ib=ib)
    account = rebate_account.trading_account
    done = status == RebatePayout.Status.PAID
    return RebatePayout.objects.create(
        order_number=f"R-DASH-{next(_numbers)}",
        ib=ib,
        user=ib.user,
        rebate_account=account,
        amount=Decimal(amount),
        currency="USD",
        line_count=1,
        status=status,
        journal=_journal(Journal.Kind.REBATE) if done else None,
        operation=PlatformOperationFactory(server=account.server) if done else None,
        granted_at=at if done else None,
    )


def deal(account: TradingAccount, lots: str, at: dt.datetime, **fields) -> ClosedDeal:
    return ClosedDealFactory(
        trading_account=account,
        volume_lots=Decimal(lots),
        open_time=at - dt.timedelta(minutes=30),
        close_time=at,
        **fields,
    )


@dataclass
class Business:
    ib: IbProfile  # "A": the IB the tests look at
    sub_ib: IbProfile  # "B": A's sub-IB, with a client of its own
    other_ib: IbProfile  # "C": another chain altogether
    clients: dict[str, User]
    accounts: dict[str, TradingAccount]


def attribute(client: User, ib: IbProfile, start: dt.datetime, end: dt.datetime | None = None) -> ClientAttribution:
    return ClientAttributionFactory(client=client, ib=ib, effective_from=start, effective_to=end)


def business() -> Business:
    """March 2026 in Shanghai time. See `test_dashboard.py` for the figures each day must show.

    c1: A's from 1 March. c2: A's from 3 March 00:30 (16:30 UTC on the 2nd). c3: B's (A's sub-IB) until
    5 March, then reassigned to A. c4: C's. Deals near midnight land on the Shanghai day.
    """
    plan = RebatePlanFactory(is_downline_visible=True)
    ib_a = IbProfileFactory(plan=plan, user__email="ib-a@example.com", user__name="IB Alpha")
    ib_b = IbProfileFactory(plan=plan, parent=ib_a, user__email="ib-b@example.com", user__name="IB Beta")
    ib_c = IbProfileFactory(plan=plan, user__email="ib-c@example.com", user__name="IB Gamma")
    names = {"c1": "Ada Client", "c2": "Bob Client", "c3": "Cyd Client", "c4": "Dee Client"}
    clients = {key: client_user(email=f"{key}@example.com", name=name) for key, name in names.items()}
    accounts = {key: TradingAccountFactory(user=user) for key, user in clients.items()}
    attribute(clients["c1"], ib_a, shanghai(2026, 3, 1, 0, 0))
    attribute(clients["c2"], ib_a, shanghai(2026, 3, 3, 0, 30))
    attribute(clients["c3"], ib_b, shanghai(2026, 3, 1, 9, 0), shanghai(2026, 3, 5, 0, 0))
    attribute(clients["c3"], ib_a, shanghai(2026, 3, 5, 0, 0))
    attribute(clients["c4"], ib_c, shanghai(2026, 3, 1, 10, 0))

    c1, c2, c3, c4 = (accounts[key] for key in ("c1", "c2", "c3", "c4"))
    deal(c1, "5.00", shanghai(2026, 2, 28))  # before c1 was A's: nobody's
    first = deal(c1, "1.00", shanghai(2026, 3, 2, 10))
    deal(c1, "0.50", shanghai(2026, 3, 2, 23, 59))
    deal(c1, "2.00", shanghai(2026, 3, 3, 0, 1))
    deal(c1, "5.00", shanghai(2026, 3, 3, 9), vanished_at=timezone.now())  # deleted on the platform
    deal(c2, "0.30", shanghai(2026, 3, 3, 23, 30))
    deal(c2, "0.20", shanghai(2026, 3, 4, 0, 30))
    b_deal = deal(c3, "1.00", shanghai(2026, 3, 4, 15))
    deal(c3, "0.70", shanghai(2026, 3, 6, 8))
    deal(c4, "9.00", shanghai(2026, 3, 4, 8))

    credited_deposit(account=c1, amount="100.00", at=shanghai(2026, 3, 2, 11))
    credited_deposit(account=c2, amount="250.50", at=shanghai(2026, 3, 4, 0, 10))
    credited_deposit(account=c1, amount="999.00", at=shanghai(2026, 3, 2, 12), status="submitted")
    credited_deposit(account=c3, amount="40.00", at=shanghai(2026, 3, 4, 16))
    credited_deposit(account=c4, amount="70.00", at=shanghai(2026, 3, 4, 16))
    paid_withdrawal(account=c1, amount="30.25", at=shanghai(2026, 3, 3, 18))
    paid_withdrawal(account=c1, amount="11.00", at=shanghai(2026, 3, 3, 19), status="approved")

    line = commission_line(ib=ib_a, deal=first, amount="5.00", at=shanghai(2026, 3, 2, 10, 5))
    commission_line(ib=ib_a, deal=first, amount="-5.00", at=shanghai(2026, 3, 3, 2), reverses=line)
    commission_line(ib=ib_b, deal=b_deal, amount="3.00", at=shanghai(2026, 3, 4, 15, 5))
    commission_line(ib=ib_a, deal=b_deal, amount="1.25", at=shanghai(2026, 3, 4, 15, 5), level=1)
    rebate_payout(ib=ib_a, amount="6.25", at=shanghai(2026, 3, 5, 9))
    rebate_payout(ib=ib_a, amount="2.00", at=shanghai(2026, 3, 5, 9), status="pending")
    return Business(ib=ib_a, sub_ib=ib_b, other_ib=ib_c, clients=clients, accounts=accounts)
