"""What the transfer services share: locking a transfer and its hold, recording a step, closing it."""

from __future__ import annotations

from django.utils import timezone

from crm.configuration.selectors import singleton_get
from crm.users.models import User
from funds.movements.services import movement_client_tell, movement_transition
from funds.transfers.errors import transfer_not_found
from funds.transfers.models import Transfer, TransferSettings
from funds.withdrawals.models import Hold

Status = Transfer.Status


def transfer_settings_get() -> TransferSettings:
    return singleton_get(TransferSettings)


def locked(transfer_id: int) -> Transfer:
    transfer = Transfer.objects.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise transfer_not_found()
    return transfer


def locked_hold(transfer: Transfer) -> Hold:
    assert transfer.hold_id is not None  # placed in the transaction that created the transfer
    return (
        Hold.objects.select_for_update(of=("self",)).select_related("trading_account__server").get(pk=transfer.hold_id)
    )


def close(transfer: Transfer, to_status: str, *, by: User | None, reason: str, action: str) -> Transfer:
    transfer.reason, transfer.closed_at = reason, timezone.now()
    fields: tuple[str, ...] = ("reason", "closed_at")
    if by is not None:
        transfer.decided_by, transfer.decided_at = by, transfer.closed_at
        fields += ("decided_by", "decided_at")
    movement_transition(movement=transfer, to_status=to_status, action=action, actor=by, reason=reason, fields=fields)
    if to_status == Status.REJECTED:
        title = {"zh-CN": "转账申请被拒绝", "en-US": "Transfer rejected"}
        content = {
            "zh-CN": f"您的转账申请 {transfer.order_number} 未通过审核：{reason}。资金已退回转出账户。",
            "en-US": f"Your transfer {transfer.order_number} was rejected: {reason}. "
            "The money goes back to the account it came from.",
        }
    else:
        title = {"zh-CN": "转账失败", "en-US": "Transfer failed"}
        content = {
            "zh-CN": f"您的转账 {transfer.order_number} 未能完成：{reason}。资金已退回转出账户。",
            "en-US": f"Your transfer {transfer.order_number} could not be completed: {reason}. "
            "The money goes back to the account it came from.",
        }
    movement_client_tell(user=transfer.user, title=title, content=content)
    return transfer
