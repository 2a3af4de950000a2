"""A seeded random run of deposits, withdrawals and transfers, with their rejections, cancellations and
failures, the outbox executing in between (with platform faults): afterwards every journal balances,
no client balance is negative, and the ledger agrees with the platform to the cent."""

import contextlib
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from crm.configuration.models import FundingMethod
from crm.files.models import StoredFile
from crm.files.services import private_url
from crm.files.tests.factories import StoredFileFactory
from crm.platforms.errors import TRANSIENT_ERRORS
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute
from crm.platforms.simulator import faults
from crm.users.tests.factories import UserFactory
from funds.deposits import services as deposits
from funds.deposits.models import Deposit
from funds.errors import FundsError
from funds.ledger.models import Entry, LedgerAccount
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balances
from funds.models import Direction
from funds.tests.factories import ChannelCurrencyFactory, ChannelFactory, ExchangeRateFactory, currency
from funds.transfers import services as transfers
from funds.transfers.models import Transfer
from funds.withdrawals import services as withdrawals
from funds.withdrawals.models import Hold, Withdrawal, WithdrawalSettings
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.tests.fixtures import withdrawal_channel
from funds.withdrawals.tests.helpers import platform_balance, request_withdrawal, run_outbox

D = Decimal
SEED = 20261123
STEPS = 400
pytestmark = pytest.mark.django_db


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    return D(rng.randint(low * 100, high * 100)) / 100


def run_some(rng: random.Random) -> None:
    """A worker gets through some of the queue, in any order."""
    pending = list(PlatformOperation.objects.filter(status="pending").values_list("id", flat=True))
    for operation_id in rng.sample(pending, k=rng.randint(0, len(pending))):
        PlatformOperation.objects.filter(pk=operation_id, status="pending").update(locked_until=None)
        with contextlib.suppress(*TRANSIENT_ERRORS):
            platform_operation_execute(operation_id=operation_id)


def test_a_random_day_of_money_leaves_the_books_exact(settings, usd, staff, checker):
    settings.PORTAL_URL = "https://crm.example"
    rng = random.Random(SEED)
    threshold = WithdrawalSettings.load()
    threshold.second_approval_threshold = D("1500.00")
    threshold.save()
    ExchangeRateFactory(from_currency=usd, to_currency=currency("CNY"), rate=D("7.1234"))
    deposit_channel = ChannelFactory(method=FundingMethod.BANK_TRANSFER, can_withdraw=False)
    ChannelCurrencyFactory(
        channel=deposit_channel,
        currency=usd,
        direction=Direction.DEPOSIT,
        min_amount=D("10.00"),
        max_amount=D("5000.00"),
        fixed_fee=D("1.00"),
        percent_fee=D("0.5"),
    )
    payout_channels = [
        withdrawal_channel(min_amount=D("10.00"), max_amount=D("3000.00"), fixed_fee=D("2.00"), percent_fee=D("1.5")),
        withdrawal_channel(code="CNY", min_amount=D("50.00"), max_amount=None, percent_fee=D("0.3")),
    ]
    from funds.ledger.tests.factories import platform_account

    clients = [UserFactory(email=f"client{n}@example.com") for n in range(3)]
    accounts = {client.pk: [platform_account(user=client) for _ in range(2)] for client in clients}
    servers = {account.server for owned in accounts.values() for account in owned}
    stats: dict[str, int] = defaultdict(int)

    def deposit(client, account):
        amount = cents(rng, 10, 3000)
        draft = deposits.deposit_draft_create(
            user=client, trading_account_id=account.pk, channel_id=deposit_channel.pk, deposit_amount=amount
        )
        if rng.random() < 0.1:
            deposits.deposit_cancel(user=client, order_number=draft.order_number)
            stats["deposit cancelled"] += 1
            return
        receipt = StoredFileFactory(owner=client, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT, original_name="r.png")
        deposits.deposit_submit(
            user=client, order_number=draft.order_number, receipt_url=private_url(stored_file=receipt)
        )
        if rng.random() < 0.15:
            deposits.deposit_reject(deposit_id=draft.pk, by=staff, reason="Unreadable receipt")
            stats["deposit rejected"] += 1
        else:
            deposits.deposit_approve(deposit_id=draft.pk, by=staff)
            stats["deposit approved"] += 1

    def withdraw(client, account):
        channel = rng.choice(payout_channels)
        code = channel.currencies.get().currency.code
        request_withdrawal(client, account, channel, str(cents(rng, 10, 2500)), currency=code)
        stats["withdrawal requested"] += 1

    def decide_withdrawal():
        withdrawal = rng.choice(list(Withdrawal.objects.filter(status__in=Withdrawal.OPEN)))
        roll = rng.random()
        if withdrawal.status == "pending" and roll < 0.15:
            withdrawals.withdrawal_cancel(user=withdrawal.user, order_number=withdrawal.order_number)
            stats["withdrawal cancelled"] += 1
        elif roll < 0.3:
            withdrawals.withdrawal_reject(withdrawal_id=withdrawal.pk, by=staff, reason="Name mismatch")
            stats["withdrawal rejected"] += 1
        elif roll < 0.35:
            withdrawals.withdrawal_fail(withdrawal_id=withdrawal.pk, by=staff, reason="Bounced")
            stats["withdrawal failed"] += 1
        elif withdrawal.status == "pending":
            withdrawals.withdrawal_approve(withdrawal_id=withdrawal.pk, by=staff)
            stats["withdrawal approved"] += 1
        elif withdrawal.awaits_second_approval:
            withdrawals.withdrawal_approve(withdrawal_id=withdrawal.pk, by=checker)
            stats["withdrawal second approval"] += 1
        else:
            withdrawals.withdrawal_mark_paid(withdrawal_id=withdrawal.pk, by=staff, payment_reference="BANK")
            stats["withdrawal paid"] += 1

    def transfer(client):
        source, target = rng.sample(accounts[client.pk], 2)
        transfers.transfer_request(user=client, source_id=source.pk, target_id=target.pk, amount=cents(rng, 1, 1500))
        stats["transfer requested"] += 1

    def decide_transfer():
        pending = rng.choice(list(Transfer.objects.filter(status="pending")))
        if rng.random() < 0.3:
            transfers.transfer_reject(transfer_id=pending.pk, by=staff, reason="Call us")
            stats["transfer rejected"] += 1
        else:
            transfers.transfer_approve(transfer_id=pending.pk, by=staff)
            stats["transfer approved"] += 1

    for _step in range(STEPS):
        client = rng.choice(clients)
        account = rng.choice(accounts[client.pk])
        roll = rng.random()
        try:
            if roll < 0.25:
                deposit(client, account)
            elif roll < 0.45:
                withdraw(client, account)
            elif roll < 0.6 and Withdrawal.objects.filter(status__in=Withdrawal.OPEN).exists():
                decide_withdrawal()
            elif roll < 0.75:
                transfer(client)
            elif roll < 0.82 and Transfer.objects.filter(status="pending").exists():
                decide_transfer()
            elif roll < 0.85:
                faults.inject(rng.choice(list(servers)), fault=rng.choice(["timeout_after", "unavailable"]))
                stats["fault injected"] += 1
            else:
                run_some(rng)
        except FundsError as error:
            # Refusals the rules make (over the free margin, a hold not yet taken by the platform, …).
            stats[f"refused: {error.code}"] += 1

    run_outbox()
    withdrawals.withdrawals_fail_refused_holds()
    transfers.transfers_fail_refused_legs()
    run_outbox()

    # The run did a bit of everything.
    for kind in ("deposit approved", "withdrawal paid", "withdrawal rejected", "transfer approved", "fault injected"):
        assert stats[kind] > 0, dict(stats)
    assert Deposit.objects.filter(status="credited").exists()
    assert Transfer.objects.filter(status="completed").exists()
    assert set(PlatformOperation.objects.values_list("status", flat=True)) == {"done"}

    # Every journal sums to zero in each currency.
    # (Summed here in Decimal: SQLite sums in floating point.)
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for journal_id, code, amount in Entry.objects.values_list("journal_id", "account__currency", "amount"):
        sums[journal_id, code] += amount
    assert {key: total for key, total in sums.items() if total != 0} == {}

    # No client balance is negative, in the ledger or on the platform.
    client_accounts = LedgerAccount.objects.filter(kind__in=LedgerAccount.PER_TRADING_ACCOUNT)
    assert all(balance >= 0 for balance in ledger_balances(accounts=client_accounts).values())
    assert all(platform_balance(account) >= 0 for owned in accounts.values() for account in owned)

    # Only open withdrawals and transfers still waiting for staff hold money.
    still_held = Hold.objects.filter(status="held")
    assert not still_held.exclude(withdrawal__status__in=Withdrawal.OPEN).exclude(transfer__status="pending").exists()

    # The ledger and the platform agree to the cent: no difference at all.
    assert reconcile() == []
    assert hold_differences() == []
