"""Builders of the payout tests: an IB paid into a rebate account on the simulated platform, and
commission lines written as the engine writes them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from clients.trading.tests.factories import ClosedDealFactory, TradingAccountFactory, client_user
from funds.ledger.tests.factories import platform_account
from funds.tests.factories import currency
from ib.models import CommissionLine, IbProfile, RebatePlanVersion
from ib.tests.factories import IbProfileFactory, RebateAccountFactory, RebatePlanVersionFactory


def ib_with_rebate_account(*, minimum_payout: str = "0", enabled: bool = True) -> IbProfile:
    """An IB on a USD plan (one published version with `minimum_payout`) with a live rebate account."""
    currency("USD")
    version = RebatePlanVersionFactory(minimum_payout=Decimal(minimum_payout))
    ib = IbProfileFactory(plan=version.plan)
    RebateAccountFactory(ib=ib, trading_account=platform_account(user=ib.user), is_enabled=enabled)
    return ib


def current_version(ib: IbProfile) -> RebatePlanVersion:
    return ib.plan.versions.order_by("-number").first()


def line(ib: IbProfile, amount: str, *, currency_code: str = "USD", deal=None) -> CommissionLine:
    """A commission line of a new deal (or of `deal`) for `ib`."""
    if deal is None:
        deal = ClosedDealFactory(trading_account=TradingAccountFactory(user=client_user()))
    return CommissionLine.objects.create(
        deal=deal,
        deal_revision=deal.revision,
        ib=ib,
        client=deal.trading_account.user,
        level=0,
        plan_version=current_version(ib),
        lots=deal.volume_lots,
        amount=Decimal(amount),
        currency=currency_code,
        calculated_at=timezone.now(),
    )


def reversal(of: CommissionLine) -> CommissionLine:
    """The reversing line of `of`, as the engine writes it when the deal changed on the platform."""
    return CommissionLine.objects.create(
        deal=of.deal,
        deal_revision=of.deal_revision,
        ib=of.ib,
        client=of.client,
        level=of.level,
        kind=CommissionLine.Kind.REVERSAL,
        plan_version=of.plan_version,
        lots=of.lots,
        amount=-of.amount,
        currency=of.currency,
        reverses=of,
        calculated_at=timezone.now(),
    )


def unpaid(ib: IbProfile) -> list[int]:
    return sorted(CommissionLine.objects.filter(ib=ib, payout__isnull=True).values_list("id", flat=True))
