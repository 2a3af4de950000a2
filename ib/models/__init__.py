from .commissions import CommissionLine, CommissionRunState, RebatePayout, RebatePayoutEvent
from .dashboard import DailyFigureRefreshState, IbClientActivity, IbDailyFigure
from .network import ClientAttribution, IbAncestry, IbApplication, IbProfile, RebateAccount
from .plans import RebatePlan, RebatePlanVersion, RebateRate

__all__ = [
    "ClientAttribution",
    "DailyFigureRefreshState",
    "CommissionLine",
    "CommissionRunState",
    "IbAncestry",
    "IbApplication",
    "IbClientActivity",
    "IbDailyFigure",
    "IbProfile",
    "RebateAccount",
    "RebatePayout",
    "RebatePayoutEvent",
    "RebatePlan",
    "RebatePlanVersion",
    "RebateRate",
]
