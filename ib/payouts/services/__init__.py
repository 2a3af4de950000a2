"""Payout services (see `ib.payouts`): the aggregation run and the decisions on one payout."""

from ib.payouts.services.aggregation import payouts_aggregate
from ib.payouts.services.decisions import payout_approve, payout_hold, payout_on_paid, payout_release

__all__ = ["payout_approve", "payout_hold", "payout_on_paid", "payout_release", "payouts_aggregate"]
