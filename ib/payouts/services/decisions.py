"""Staff's decisions on a payout, and the outbox telling it the platform paid it.

Approval is the one that moves money: in one transaction it posts the ledger journal
(`bonus_expense:<currency>` Dr, `client_trading:<rebate account>` Cr) and enqueues the platform
balance operation (idempotency key `rebate_payout:<id>`), so staff clicking at once approve it once
and a failing platform call is retried by the outbox until it is applied, once.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.platforms.gateway import BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.ledger.models import Journal
from funds.ledger.services import bonus_expense_account, client_trading_account, journal_post
from funds.money import format_amount, quantize
from funds.movements.services import movement_client_tell, movement_transition
from ib.models import RebatePayout
from ib.payouts.errors import PayoutConflict, PayoutError, PayoutErrorCode, payout_not_found

Status = RebatePayout.Status
ON_PAID = "ib.payouts.services.payout_on_paid"


def _locked(payout_id: int) -> RebatePayout:
    payout = (
        RebatePayout.objects.select_for_update(of=("self",))
        .select_related("rebate_account__server")
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        raise payout_not_found()
    return payout


def _conflict(code: str, message: str) -> PayoutConflict:
    return PayoutConflict(code=code, message=message)


def paid_amount(payout: RebatePayout) -> Decimal:
    """What the platform credits: the lines' sum at the currency's precision."""
    return quantize(payout.amount, payout.currency)


@transaction.atomic(durable=True)
def payout_approve(*, payout_id: int, approved_by: User) -> RebatePayout:
    """Staff approve a pending payout: the ledger books it and the platform credits the rebate account.

    409 `rebate_payout_not_pending` from any other status, 409 `rebate_account_unusable` when the
    rebate account was disabled since the payout was aggregated (hold the payout meanwhile)."""
    payout = _locked(payout_id)
    if payout.status != Status.PENDING:
        raise _conflict(PayoutErrorCode.PAYOUT_NOT_PENDING, _("Only a payout waiting for approval can be approved."))
    account = payout.rebate_account
    if not account.is_active or account.is_demo:
        raise _conflict(
            PayoutErrorCode.REBATE_ACCOUNT_UNUSABLE,
            _("The rebate account %(login)s is disabled; it cannot receive this payout.") % {"login": account.login},
        )
    amount = paid_amount(payout)
    key = f"rebate_payout:{payout.pk}"
    journal = journal_post(
        kind=Journal.Kind.REBATE,
        lines=[
            (bonus_expense_account(currency=payout.currency), amount),
            (client_trading_account(trading_account=account), -amount),
        ],
        reference=payout,
        memo=f"Rebate payout {payout.order_number}",
        by=approved_by,
        idempotency_key=key,
    )
    operation = platform_operation_enqueue(
        server=account.server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={
            "login": account.login,
            "kind": str(BalanceKind.DEPOSIT),
            "amount": amount,
            "comment": f"Rebate {payout.order_number}",
        },
        idempotency_key=key,
        on_done=ON_PAID,
    )
    payout.journal, payout.operation, payout.decided_by = journal, operation, approved_by
    return movement_transition(
        movement=payout,
        to_status=Status.APPROVED,
        action="approved",
        actor=approved_by,
        data={"journal_id": journal.pk, "operation_id": operation.pk, "paid_amount": str(amount)},
        fields=("journal", "operation", "decided_by"),
    )


@transaction.atomic(durable=True)
def payout_hold(*, payout_id: int, held_by: User, reason: str) -> RebatePayout:
    """Staff set a pending payout aside, saying why (400 without a reason, 409 unless pending)."""
    reason = (reason or "").strip()
    if not reason:
        raise PayoutError(
            code=PayoutErrorCode.INVALID_INPUT,
            message=_("Some fields are missing or invalid."),
            fields={"reason": [_("Say why the payout is held.")]},
        )
    payout = _locked(payout_id)
    if payout.status != Status.PENDING:
        raise _conflict(PayoutErrorCode.PAYOUT_NOT_PENDING, _("Only a payout waiting for approval can be held."))
    payout.decided_by = held_by
    return movement_transition(
        movement=payout, to_status=Status.HELD, action="held", actor=held_by, reason=reason, fields=("decided_by",)
    )


@transaction.atomic(durable=True)
def payout_release(*, payout_id: int, released_by: User) -> RebatePayout:
    """Staff put a held payout back in the approval queue (409 unless held)."""
    payout = _locked(payout_id)
    if payout.status != Status.HELD:
        raise _conflict(PayoutErrorCode.PAYOUT_NOT_HELD, _("Only a held payout can be released."))
    payout.decided_by = released_by
    return movement_transition(
        movement=payout, to_status=Status.PENDING, action="released", actor=released_by, fields=("decided_by",)
    )


def payout_on_paid(operation: PlatformOperation) -> None:
    """The outbox's `on_done`: the platform credited the payout, in the transaction that marks it done."""
    payout = RebatePayout.objects.select_for_update().filter(operation=operation).first()
    if payout is None or payout.status != Status.APPROVED:
        return
    payout.granted_at = timezone.now()
    movement_transition(
        movement=payout,
        to_status=Status.PAID,
        action="paid",
        actor=None,
        data={"deal_id": operation.result.get("deal_id"), "applied_now": operation.result.get("applied_now")},
        fields=("granted_at",),
    )
    amount = f"{format_amount(paid_amount(payout), payout.currency)} {payout.currency}"
    login = payout.rebate_account.login
    movement_client_tell(
        user=payout.user,
        title={"zh-CN": "返佣已到账", "en-US": "Rebate paid"},
        content={
            "zh-CN": f"返佣 {payout.order_number} 已存入返佣账户 {login}：{amount}。",
            "en-US": f"Rebate {payout.order_number} was paid into rebate account {login}: {amount}.",
        },
    )
