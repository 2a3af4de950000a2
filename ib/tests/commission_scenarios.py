"""Building blocks of the commission engine's tests: a chain of IBs on a plan, their clients'
accounts, deals, and the lines the engine wrote, as comparable tuples."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from clients.trading.models import ClosedDeal, TradingAccount
from clients.trading.tests.factories import ClosedDealFactory, TradingAccountFactory, client_user
from ib.models import CommissionLine, IbProfile, RebatePlan, RebatePlanVersion, RebateRate
from ib.tests.factories import (
    ClientAttributionFactory,
    IbProfileFactory,
    RebatePlanFactory,
    RebatePlanVersionFactory,
    RebateRateFactory,
)

D = Decimal


def at(text: str) -> datetime:
    """An aware UTC time from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def plan_with_rates(*per_lot_by_level: str, cap_per_lot: str | None = None, **version_fields) -> RebatePlanVersion:
    """A published version (from 2020) of a new plan, with one any-symbol rate per level."""
    version = RebatePlanVersionFactory(
        cap_per_lot=D(cap_per_lot) if cap_per_lot is not None else None, **version_fields
    )
    for level, per_lot in enumerate(per_lot_by_level):
        RebateRateFactory(version=version, level=level, per_lot=D(per_lot))
    return version


def ib_chain(depth: int, plan: RebatePlan | None) -> list[IbProfile]:
    """[the client's IB (level 0), its parent (1), …]: `depth` IBs, the bottom one on `plan`."""
    top = IbProfileFactory()
    chain = [top]
    for _ in range(depth - 1):
        chain.append(IbProfileFactory(parent=chain[-1]))
    chain.reverse()
    chain[0].plan = plan
    chain[0].save(update_fields=["plan"])
    return chain


def client_account(ib: IbProfile, *, since: str = "2020-01-01 00:00", **account_fields) -> TradingAccount:
    """A trading account of a new client attributed to `ib` from `since`."""
    client = client_user()
    ClientAttributionFactory(client=client, ib=ib, effective_from=at(since))
    return TradingAccountFactory(user=client, **account_fields)


def deal(account: TradingAccount, **fields) -> ClosedDeal:
    return ClosedDealFactory(trading_account=account, **fields)


def rate(version: RebatePlanVersion, **fields) -> RebateRate:
    return RebateRateFactory(version=version, **fields)


def lines(**filters) -> list[tuple]:
    """(deal id, IB id, level, amount, kind) of the lines, by deal, level and kind."""
    return list(
        CommissionLine.objects.filter(**filters)
        .order_by("deal_id", "level", "kind", "id")
        .values_list("deal_id", "ib_id", "level", "amount", "kind")
    )


def amounts(**filters) -> dict[tuple[int, int], Decimal]:
    """{(deal id, level): amount} of the commission lines."""
    return {
        (deal_id, level): amount
        for deal_id, level, amount in CommissionLine.objects.filter(kind="commission", **filters).values_list(
            "deal_id", "level", "amount"
        )
    }


__all__ = ["RebatePlanFactory", "at", "client_account", "deal", "ib_chain", "lines", "plan_with_rates", "rate"]
