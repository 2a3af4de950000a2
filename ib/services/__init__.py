"""Writes of the IB network.

MINIMAL VERSION written on branch w-portal so the IB portal's rebate-account page can be tested
alone: helper `network` owns this package and its `rebate_account_set_enabled` (same name and
signature, as agreed in the common brief) replaces this one at the merge.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.errors import NotFound
from crm.users.models import User
from ib.models import IbProfile, RebateAccount


@transaction.atomic
def rebate_account_set_enabled(*, user: User, trading_account_id: int, enabled: bool) -> RebateAccount:
    """Enable (payouts go there; the IB's other accounts are disabled) or disable one of the IB's own
    rebate accounts; anyone else's is 404 `rebate_account_not_found`."""
    ib = IbProfile.objects.filter(user_id=user.pk).first()
    accounts = list(RebateAccount.objects.select_for_update().filter(ib=ib).order_by("pk")) if ib else []
    account = next((row for row in accounts if row.trading_account_id == trading_account_id), None)
    if account is None:
        raise NotFound(code="rebate_account_not_found", message=_("No such rebate account of yours."))
    if enabled:
        RebateAccount.objects.filter(ib=ib, is_enabled=True).exclude(pk=account.pk).update(is_enabled=False)
    account.is_enabled = enabled
    account.save(update_fields=["is_enabled", "updated_at"])
    audit_record(
        actor=user, action="ib.rebate_account.enabled" if enabled else "ib.rebate_account.disabled", target=account
    )
    return account
