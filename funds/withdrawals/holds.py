"""Holds: money a withdrawal or a transfer takes off a trading account until it is paid out, moved on
or given back (see `funds.withdrawals.models`). Shared by withdrawals and transfers.

How much may be held. The platform knows the account's balance, credit and free margin; what it does
not know yet are holds the CRM requested that the outbox has not applied. So a new hold may take at
most `min(balance, free margin − credit)` (credit is the broker's money and never leaves) minus the
holds still on their way. The figures are read in two steps so no platform call happens inside a
transaction:

1. `margin_read` (no transaction): which of the account's holds the platform has already answered
   for, then the platform's figures;
2. `available_to_hold` (in the caller's transaction, the trading account row locked): every hold that
   was not answered for at step 1 (still requested then, or made since) counts as on its way.

A hold applied between the two steps is counted twice, a cautious error that never lets two
requests take the same money. Every hold of an account is made under that account's row lock, so
holds made since step 1 have higher ids than any step 1 saw.

Giving money back (`hold_release`) needs the platform's answer to the hold: applied → the reverse
journal and a platform deposit; refused for good → the reverse journal only; not answered yet → the
release waits, and `hold_on_applied` / `hold_on_refused` finish it when the answer comes. A platform
that applies a hold after it was released as refused (staff retried the operation) gets a deposit
back at once, so the platform and the ledger always end up agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from clients.trading.models import TradingAccount
from clients.trading.selectors import account_state_of
from crm.platforms.errors import PlatformErrorCode
from crm.platforms.gateway import AccountState, BalanceKind
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.ledger.models import Journal
from funds.ledger.services import client_hold_account, client_trading_account, journal_post
from funds.money import format_amount
from funds.withdrawals.models import Hold

ZERO = Decimal(0)
EIGHT_PLACES = Decimal("0.00000001")
Status = Hold.Status
PlatformStatus = Hold.PlatformStatus

# Errors after which the platform has certainly not applied an operation: it said no (it checks the
# idempotency key first, so a key it had applied would have been answered "already done").
REFUSED_CODES = frozenset(
    {
        PlatformErrorCode.UNKNOWN_LOGIN,
        PlatformErrorCode.INSUFFICIENT_FREE_MARGIN,
        PlatformErrorCode.INSUFFICIENT_CREDIT,
        PlatformErrorCode.INVALID_AMOUNT,
        PlatformErrorCode.INVALID_CURRENCY,
        PlatformErrorCode.INVALID_REQUEST,
        PlatformErrorCode.INVALID_PLATFORM_PAYLOAD,
    }
)

JOURNAL_KINDS = {
    Hold.Purpose.WITHDRAWAL: (Journal.Kind.WITHDRAWAL_HOLD, Journal.Kind.WITHDRAWAL_RELEASE),
    Hold.Purpose.TRANSFER: (Journal.Kind.TRANSFER, Journal.Kind.TRANSFER),
}


def exact(total: Decimal | None) -> Decimal:
    """A database sum of amounts, made exact again: SQLite sums in floating point and hands back 15
    significant digits (461.409999999999 for 461.41); amounts have at most 8 decimals, so rounding to 8
    gives the true sum back whenever it fits in those digits (PostgreSQL sums exactly anyway)."""
    return (total or ZERO).quantize(EIGHT_PLACES)


def withdrawable_of(state: AccountState) -> Decimal:
    """What the platform would let leave the account now: never credit, never below a zero balance."""
    return min(state.balance, state.free_margin - state.credit)


# --- how much may be held -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarginReading:
    state: AccountState
    # The highest hold id of the account, and those still waiting for the platform, before `state` was read.
    last_hold_id: int
    requested_hold_ids: frozenset[int]


def margin_read(*, account: TradingAccount) -> MarginReading:
    """Step 1 (outside any transaction): the holds' answers, then the platform's figures (503 when unreachable)."""
    rows = list(Hold.objects.filter(trading_account=account).values_list("id", "platform_status"))
    last = max((hold_id for hold_id, _status in rows), default=0)
    requested = frozenset(hold_id for hold_id, status in rows if status == PlatformStatus.REQUESTED)
    return MarginReading(state=account_state_of(account), last_hold_id=last, requested_hold_ids=requested)


def available_to_hold(*, account: TradingAccount, reading: MarginReading) -> Decimal:
    """Step 2 (the account row locked): what a new hold may take, given `reading` from step 1."""
    on_the_way = exact(
        Hold.objects.filter(trading_account=account)
        .filter(Q(id__gt=reading.last_hold_id) | Q(id__in=reading.requested_hold_ids))
        .aggregate(total=Sum("amount"))["total"]
    )
    return withdrawable_of(reading.state) - on_the_way


def holds_on_the_way(*, account_ids: list[int]) -> dict[int, Decimal]:
    """`{trading account id: amount}` of holds the platform has not answered for yet."""
    rows = (
        Hold.objects.filter(trading_account_id__in=account_ids, platform_status=PlatformStatus.REQUESTED)
        .values("trading_account_id")
        .annotate(total=Sum("amount"))
        .values_list("trading_account_id", "total")
    )
    return {account_id: exact(total) for account_id, total in rows}


# --- taking and giving back -------------------------------------------------------------------------------


def hold_place(
    *,
    account: TradingAccount,
    amount: Decimal,
    purpose: str,
    reference: str,
    hold_key: str,
    release_key: str,
    comment: str,
    by: User | None,
    on_done: str,
) -> Hold:
    """Take `amount` off the (locked) account: the journal client_trading → client_hold and a platform
    `withdrawal` operation with idempotency key `hold_key`, in the caller's transaction."""
    hold_kind, _release_kind = JOURNAL_KINDS[purpose]
    journal = journal_post(
        kind=hold_kind,
        lines=[
            (client_trading_account(trading_account=account), amount),
            (client_hold_account(trading_account=account), -amount),
        ],
        reference=reference,
        memo=comment,
        by=by,
        idempotency_key=hold_key,
    )
    operation = platform_operation_enqueue(
        server=account.server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={
            "login": account.login,
            "kind": str(BalanceKind.WITHDRAWAL),
            "amount": format_amount(amount, account.currency),
            "comment": comment,
        },
        idempotency_key=hold_key,
        on_done=on_done,
    )
    return Hold.objects.create(
        trading_account=account,
        currency=account.currency,
        amount=amount,
        purpose=purpose,
        reference=reference,
        hold_key=hold_key,
        release_key=release_key,
        hold_journal=journal,
        hold_operation=operation,
    )


def _give_back_on_platform(hold: Hold, comment: str) -> None:
    hold.release_operation = platform_operation_enqueue(
        server=hold.trading_account.server,
        kind=PlatformOperation.Kind.BALANCE,
        payload={
            "login": hold.trading_account.login,
            "kind": str(BalanceKind.DEPOSIT),
            "amount": format_amount(hold.amount, hold.currency),
            "comment": comment,
        },
        idempotency_key=hold.release_key,
    )


def _post_release(hold: Hold, *, by: User | None, memo: str, on_platform: bool) -> None:
    _hold_kind, release_kind = JOURNAL_KINDS[hold.purpose]
    account = hold.trading_account
    hold.release_journal = journal_post(
        kind=release_kind,
        lines=[
            (client_hold_account(trading_account=account), hold.amount),
            (client_trading_account(trading_account=account), -hold.amount),
        ],
        reference=hold.reference,
        memo=memo,
        by=by,
        idempotency_key=hold.release_key,
    )
    if on_platform:
        _give_back_on_platform(hold, memo)


def _memo(hold: Hold) -> str:
    return f"Release of {hold.hold_key}"


def hold_release(*, hold: Hold, by: User | None, allow_settled: bool = False) -> Hold:
    """Give the (locked) hold back to its trading account, now or when the platform answers.

    `allow_settled`: a transfer whose second leg the platform refused takes its settled hold back.
    Releasing a released hold changes nothing.
    """
    if hold.status == Status.RELEASED:
        return hold
    if hold.status == Status.SETTLED and not allow_settled:
        raise ValueError(f"hold {hold.pk} is settled")
    hold.status, hold.closed_at = Status.RELEASED, timezone.now()
    if hold.platform_status == PlatformStatus.APPLIED:
        _post_release(hold, by=by, memo=_memo(hold), on_platform=True)
    elif hold.platform_status == PlatformStatus.NOT_APPLIED:
        _post_release(hold, by=by, memo=_memo(hold), on_platform=False)
    # else: deferred until the platform answers (`hold_on_applied` / `hold_on_refused`).
    hold.save(update_fields=["status", "closed_at", "release_journal", "release_operation", "updated_at"])
    return hold


def hold_settle(*, hold: Hold) -> Hold:
    """The (locked, held) hold's money went on: paid out or moved to another account (the caller books it)."""
    if hold.status != Status.HELD:
        raise ValueError(f"hold {hold.pk} is {hold.status}")
    hold.status, hold.closed_at = Status.SETTLED, timezone.now()
    hold.save(update_fields=["status", "closed_at", "updated_at"])
    return hold


def hold_on_applied(*, hold: Hold) -> bool:
    """The platform took the (locked) hold's money; finish a release that waited for it. False if known already."""
    if hold.platform_status == PlatformStatus.APPLIED:
        return False
    was_refused = hold.platform_status == PlatformStatus.NOT_APPLIED
    hold.platform_status = PlatformStatus.APPLIED
    if hold.status == Status.RELEASED:
        if hold.release_journal_id is None:
            _post_release(hold, by=None, memo=_memo(hold), on_platform=True)
        elif was_refused and hold.release_operation_id is None:
            # Released as refused, and the platform took it after all (the operation was retried):
            # the ledger already has the money back on the trading account; the platform gets it back now.
            _give_back_on_platform(hold, _memo(hold))
    hold.save(update_fields=["platform_status", "release_journal", "release_operation", "updated_at"])
    return True


def hold_on_refused(*, hold: Hold) -> bool:
    """The platform refused the (locked) hold for good; finish a release that waited. False if not applicable."""
    if hold.platform_status != PlatformStatus.REQUESTED:
        return False
    hold.platform_status = PlatformStatus.NOT_APPLIED
    if hold.is_release_deferred:
        _post_release(hold, by=None, memo=_memo(hold), on_platform=False)
    hold.save(update_fields=["platform_status", "release_journal", "updated_at"])
    return True


def operation_refused(operation: PlatformOperation) -> bool:
    """Failed, with an error after which the platform certainly did not apply it."""
    return operation.status == PlatformOperation.Status.FAILED and operation.error_code in REFUSED_CODES


def refused_hold_operations(*, purpose: str):
    """Holds of `purpose` whose platform operation failed for good while the hold still waits for an answer."""
    return Hold.objects.filter(
        purpose=purpose,
        platform_status=PlatformStatus.REQUESTED,
        hold_operation__status=PlatformOperation.Status.FAILED,
        hold_operation__error_code__in=REFUSED_CODES,
    ).order_by("id")


def holds_expected_balances(*, account_ids: list[int] | None = None) -> dict[int, Decimal]:
    """`{trading account id: amount}` the ledger's client_hold account should hold: holds still held, and
    released ones whose journal waits for the platform's answer."""
    holds = Hold.objects.filter(Q(status=Status.HELD) | Q(status=Status.RELEASED, release_journal__isnull=True))
    if account_ids is not None:
        holds = holds.filter(trading_account_id__in=account_ids)
    rows = holds.values("trading_account_id").annotate(total=Sum("amount")).values_list("trading_account_id", "total")
    return {account_id: exact(total) for account_id, total in rows}
