"""Stand-ins for the other IB helpers' services the demo calls, installed for the test session only
where the real module or name is missing — that is, only before their branches are merged.

The demo (`ib/demo_week.py`) calls the agreed names (the common brief's interfaces): the network's
`ib.services.ib_promote` / `attribution_from_invite_code` / `rebate_account_add`, the mirror's
`deals_sync_all`, the engine's `commissions_compute` / `commissions_reverse_changed`, the payouts'
`payouts_aggregate` / `payout_approve` and the dashboard's `daily_figures_refresh`. Once every branch is
in, nothing here is installed (each real name is found) and this file can go.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

import pytest


def ib_promote(*, user_id: int, parent_id: int | None, plan_id: int | None, promoted_by: Any) -> Any:
    from crm.users.models import User
    from ib.models import IbAncestry, IbProfile

    User.objects.filter(pk=user_id).update(role=User.Role.IB)
    profile = IbProfile.objects.create(
        user_id=user_id, parent_id=parent_id, plan_id=plan_id, referral_code=f"D{user_id:05d}", created_by=promoted_by
    )
    above = IbAncestry.objects.filter(ib_id=parent_id).values_list("ancestor_id", "depth")
    IbAncestry.objects.bulk_create(
        [IbAncestry(ib=profile, ancestor=profile, depth=0)]
        + [IbAncestry(ib=profile, ancestor_id=ancestor, depth=depth + 1) for ancestor, depth in above]
    )
    return profile


def attribution_from_invite_code(*, client: Any) -> Any:
    from django.utils import timezone

    from clients.models import ClientProfile
    from ib.models import ClientAttribution, IbProfile

    code = ClientProfile.objects.filter(user=client).values_list("invite_code", flat=True).first()
    ib = IbProfile.objects.filter(referral_code__iexact=code).first() if code else None
    if ib is None or ib.user_id == client.pk:
        return None
    return ClientAttribution.objects.create(client=client, ib=ib, effective_from=timezone.now(), source="invite_code")


def rebate_account_add(*, ib_id: int, trading_account_id: int, added_by: Any) -> Any:
    from ib.models import RebateAccount

    enabled = not RebateAccount.objects.filter(ib_id=ib_id, is_enabled=True).exists()
    return RebateAccount.objects.create(ib_id=ib_id, trading_account_id=trading_account_id, is_enabled=enabled)


def _nothing(**_kwargs: Any) -> int:
    return 0


def _no_payouts(**_kwargs: Any) -> list[int]:
    return []


def _not_here(**_kwargs: Any) -> Any:
    raise NotImplementedError("the payouts branch is not merged here")


STAND_INS: dict[str, dict[str, Any]] = {
    "ib.services": {
        "ib_promote": ib_promote,
        "attribution_from_invite_code": attribution_from_invite_code,
        "rebate_account_add": rebate_account_add,
    },
    "clients.trading.mirror.services": {"deals_sync_all": _nothing},
    "ib.commissions.engine": {"commissions_compute": _nothing, "commissions_reverse_changed": _nothing},
    "ib.payouts.services": {"payouts_aggregate": _no_payouts, "payout_approve": _not_here},
    "ib.dashboard.services": {"daily_figures_refresh": _nothing},
}


def _module(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        parent, _dot, child = name.rpartition(".")
        module = types.ModuleType(name)
        sys.modules[name] = module
        if parent:
            setattr(_module(parent), child, module)
        return module


@pytest.fixture(scope="session", autouse=True)
def ib_stand_ins() -> None:
    """Installed once Django is set up (importing a real module imports its models)."""
    for module_name, names in STAND_INS.items():
        module = _module(module_name)
        for name, function in names.items():
            if not hasattr(module, name):
                setattr(module, name, function)
