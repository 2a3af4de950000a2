"""What the withdrawal services share: finding and locking a withdrawal and its hold, recording a
step, closing an open withdrawal."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crm.configuration.selectors import singleton_get
from crm.users.models import User
from funds.movements.services import movement_client_tell, movement_transition
from funds.withdrawals import holds
from funds.withdrawals.errors import WithdrawalConflict, withdrawal_not_found
from funds.withdrawals.models import Hold, Withdrawal, WithdrawalSettings

Status = Withdrawal.Status


def conflict(code: str, message: str, **kwargs: Any) -> WithdrawalConflict:
    return WithdrawalConflict(code=code, message=message, **kwargs)


def locked(*, withdrawal_id: int | None = None, user: User | None = None, order_number: str = "") -> Withdrawal:
    withdrawals = Withdrawal.objects.select_for_update()
    if user is not None:
        withdrawals = withdrawals.filter(user=user)
    if withdrawal_id is not None:
        withdrawal = withdrawals.filter(pk=withdrawal_id).first()
    else:
        withdrawal = withdrawals.filter(order_number=order_number.strip()).first()
    if withdrawal is None:
        raise withdrawal_not_found()
    return withdrawal


def locked_hold(withdrawal: Withdrawal) -> Hold:
    assert withdrawal.hold_id is not None  # placed in the transaction that created the withdrawal
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("trading_account__server")
        .get(pk=withdrawal.hold_id)
    )


def withdrawal_settings_get() -> WithdrawalSettings:
    return singleton_get(WithdrawalSettings)


def close(withdrawal: Withdrawal, to_status: str, *, by: User | None, reason: str, action: str) -> Withdrawal:
    """Reject or fail the locked open withdrawal: the hold goes back, the client is told."""
    holds.hold_release(hold=locked_hold(withdrawal), by=by)
    withdrawal.reason, withdrawal.closed_at = reason, timezone.now()
    fields: tuple[str, ...] = ("reason", "closed_at")
    if withdrawal.decided_by_id is None and by is not None:
        withdrawal.decided_by, withdrawal.decided_at = by, withdrawal.closed_at
        fields += ("decided_by", "decided_at")
    movement_transition(movement=withdrawal, to_status=to_status, action=action, actor=by, reason=reason, fields=fields)
    if to_status == Status.REJECTED:
        title = {"zh-CN": "出金申请被拒绝", "en-US": "Withdrawal rejected"}
        content = {
            "zh-CN": f"您的出金申请 {withdrawal.order_number} 未通过审核：{reason}。资金已退回交易账户。",
            "en-US": f"Your withdrawal {withdrawal.order_number} was rejected: {reason}. "
            "The money goes back to your trading account.",
        }
    else:
        title = {"zh-CN": "出金失败", "en-US": "Withdrawal failed"}
        content = {
            "zh-CN": f"您的出金 {withdrawal.order_number} 未能完成：{reason}。资金已退回交易账户。",
            "en-US": f"Your withdrawal {withdrawal.order_number} could not be completed: {reason}. "
            "The money goes back to your trading account.",
        }
    movement_client_tell(user=withdrawal.user, title=title, content=content)
    return withdrawal
