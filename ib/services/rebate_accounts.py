"""Rebate accounts: the IB's own live trading accounts its payouts are paid into.

Staff add them; the IB chooses which one receives payouts. At most one is enabled (a partial unique
constraint holds it): enabling one disables the others, so a payout always has exactly one target;
disabling the only one is allowed, and payouts then wait until one is enabled again.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from clients.trading.models import TradingAccount
from crm.audit.services import audit_record
from crm.errors import Conflict
from crm.users.models import User
from ib.errors import IbErrorCode
from ib.models import IbProfile, RebateAccount
from ib.selectors import ib_profile_of, rebate_account_not_found
from ib.services.network import ib_not_found


def _not_usable(message: str) -> Conflict:
    return Conflict(code=IbErrorCode.REBATE_ACCOUNT_NOT_USABLE, message=message)


@transaction.atomic
def rebate_account_add(*, ib_id: int, trading_account_id: int, added_by: User | None) -> RebateAccount:
    """Staff make one of the IB's own active live accounts a rebate account. It is enabled when the
    IB has no enabled one yet, so the first account added receives payouts straight away."""
    ib = IbProfile.objects.select_for_update().filter(pk=ib_id).first()
    if ib is None:
        raise ib_not_found()
    account = TradingAccount.objects.filter(pk=trading_account_id).first()
    if account is None or account.user_id != ib.user_id:
        raise _not_usable(_("Only one of the IB's own trading accounts can receive rebates."))
    if account.is_demo or not account.is_active:
        raise _not_usable(_("Only an active live account can receive rebates."))
    if RebateAccount.objects.filter(trading_account=account).exists():
        raise Conflict(code=IbErrorCode.REBATE_ACCOUNT_EXISTS, message=_("This account already receives rebates."))
    is_enabled = not RebateAccount.objects.filter(ib=ib, is_enabled=True).exists()
    rebate_account = RebateAccount.objects.create(ib=ib, trading_account=account, is_enabled=is_enabled)
    audit_record(
        actor=added_by,
        action="ib.rebate_account_added",
        target=rebate_account,
        data={"ib_id": ib.pk, "login": account.login, "is_enabled": is_enabled},
    )
    return rebate_account


@transaction.atomic
def rebate_account_set_enabled(*, user: User, trading_account_id: int, enabled: bool) -> RebateAccount:
    """ib.rebate.set_account_enabled: the IB (`user`) enables or disables one of its rebate accounts.

    Enabling one disables the others. Another IB's account, or an account that is not a rebate
    account, is 404 `rebate_account_not_found`; enabling an account that is no longer active is 409.
    Setting what is already set changes nothing and records nothing.
    """
    ib = ib_profile_of(user)
    IbProfile.objects.select_for_update().filter(pk=ib.pk).first()  # one change of the IB's accounts at a time
    rebate_account = (
        RebateAccount.objects.select_for_update()
        .select_related("trading_account")
        .filter(ib=ib, trading_account_id=trading_account_id)
        .first()
    )
    if rebate_account is None:
        raise rebate_account_not_found()
    if enabled and not rebate_account.trading_account.is_active:
        raise _not_usable(_("This trading account is disabled and cannot receive rebates."))
    others = RebateAccount.objects.filter(ib=ib, is_enabled=True).exclude(pk=rebate_account.pk)
    if rebate_account.is_enabled == enabled and not (enabled and others.exists()):
        return rebate_account
    disabled = list(others.values_list("trading_account__login", flat=True)) if enabled else []
    if enabled:
        others.update(is_enabled=False)
    rebate_account.is_enabled = enabled
    rebate_account.save(update_fields=["is_enabled", "updated_at"])
    audit_record(
        actor=user,
        action="ib.rebate_account_enabled" if enabled else "ib.rebate_account_disabled",
        target=rebate_account,
        data={"login": rebate_account.trading_account.login, "disabled_logins": disabled},
    )
    return rebate_account
