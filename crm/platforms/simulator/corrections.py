"""What an MT5 manager can do to a deal after it closed: correct its figures, or delete it.

The account's balance follows, as on the platform: it stays the sum of its balance operations and
of its deals' results (profit + commission + swap), so a correction moves it by the difference and
a deletion takes the deal's result out. The CRM learns of either only by reading the deals again
(`clients.trading.mirror.services.deals_reread`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from crm.platforms.errors import PlatformErrorCode
from crm.platforms.models import TradingServer
from crm.platforms.simulator.market import CENT
from crm.platforms.simulator.models import SimAccount, SimDeal, SimSymbol
from crm.platforms.simulator.services import rejected

MONEY_FIELDS = ("profit", "commission", "swap", "spread_cost")


def _locked_deal(server: TradingServer, deal_id: int) -> SimDeal:
    """The deal, with its account's row locked first (the order balance operations lock in)."""
    account_id = SimDeal.objects.filter(server=server, deal_id=deal_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise rejected(PlatformErrorCode.INVALID_REQUEST, f"No deal #{deal_id} on {server.name}.")
    SimAccount.objects.select_for_update().filter(pk=account_id).get()
    return SimDeal.objects.select_for_update().get(server=server, deal_id=deal_id)


def _check_cents(name: str, value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value != value.quantize(CENT):
        raise rejected(PlatformErrorCode.INVALID_AMOUNT, f"{name} must be a number with at most 2 decimals.")


@transaction.atomic
def sim_deal_correct(
    *,
    server: TradingServer,
    deal_id: int,
    volume_lots: Decimal | None = None,
    profit: Decimal | None = None,
    commission: Decimal | None = None,
    swap: Decimal | None = None,
    spread_cost: Decimal | None = None,
    symbol: str | None = None,
) -> SimDeal:
    """Change a closed deal's figures (those given); the balance moves by the change of its result."""
    if volume_lots is not None:
        _check_cents("The volume", volume_lots)
        if volume_lots <= 0:
            raise rejected(PlatformErrorCode.INVALID_REQUEST, "The volume must be positive.")
    money = {"profit": profit, "commission": commission, "swap": swap, "spread_cost": spread_cost}
    for name, value in money.items():
        if value is not None:
            _check_cents(name.capitalize(), value)
    if symbol is not None and not SimSymbol.objects.filter(name=symbol).exists():
        raise rejected(PlatformErrorCode.INVALID_REQUEST, f"Unknown symbol {symbol!r}.")
    deal = _locked_deal(server, deal_id)
    result_before = deal.profit + deal.commission + deal.swap
    changes = {"volume_lots": volume_lots, "symbol": symbol, **money}
    changed = [name for name, value in changes.items() if value is not None and getattr(deal, name) != value]
    for name in changed:
        setattr(deal, name, changes[name])
    if changed:
        deal.save(update_fields=changed)
        difference = deal.profit + deal.commission + deal.swap - result_before
        if difference:
            SimAccount.objects.filter(pk=deal.account_id).update(balance=F("balance") + difference)
    return deal


@transaction.atomic
def sim_deal_delete(*, server: TradingServer, deal_id: int) -> None:
    """Delete a closed deal; its result leaves the balance with it."""
    deal = _locked_deal(server, deal_id)
    result = deal.profit + deal.commission + deal.swap
    deal.delete()
    if result:
        SimAccount.objects.filter(pk=deal.account_id).update(balance=F("balance") - result)
