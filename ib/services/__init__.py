"""Writes of the IB network: becoming an IB, the tree, attribution, applications, rebate accounts.

The agreed names are importable from here (`from ib import services; services.ib_promote(...)`).
"""

from ib.services.applications import ib_application_approve, ib_application_reject, ib_application_submit
from ib.services.attribution import attribution_from_invite_code, attribution_reassign
from ib.services.network import ib_move, ib_plan_set, ib_promote
from ib.services.rebate_accounts import rebate_account_add, rebate_account_set_enabled

__all__ = [
    "attribution_from_invite_code",
    "attribution_reassign",
    "ib_application_approve",
    "ib_application_reject",
    "ib_application_submit",
    "ib_move",
    "ib_plan_set",
    "ib_promote",
    "rebate_account_add",
    "rebate_account_set_enabled",
]
