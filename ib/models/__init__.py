from .commissions import CommissionLine, CommissionRunState, RebatePayout, RebatePayoutEvent
from .dashboard import IbDailyFigure
from .network import ClientAttribution, IbAncestry, IbApplication, IbProfile, RebateAccount
from .plans import RebatePlan, RebatePlanVersion, RebateRate

__all__ = [
    "ClientAttribution",
    "CommissionLine",
    "CommissionRunState",
    "IbAncestry",
    "IbApplication",
    "IbDailyFigure",
    "IbProfile",
    "RebateAccount",
    "RebatePayout",
    "RebatePayoutEvent",
    "RebatePlan",
    "RebatePlanVersion",
    "RebateRate",
]
