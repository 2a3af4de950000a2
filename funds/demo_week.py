"""A week of money for the demo clients: deposits, withdrawals and transfers in every state, a
deposit credit the platform could not make, and a week of simulated trading on their accounts.

Everything goes through the services a client and staff use (ledger journals, holds, the outbox,
audit rows, events); afterwards only the timestamps of the week's past days are moved back, so the
queues read like a real week. What is decided today stays today (the admin home totals it).
Running it again changes nothing: the week is played once, when no demo client has a deposit yet.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.core.files.base import ContentFile
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from clients.demo_week import DOMAIN, PNG, REVIEWER_EMAIL, Stage, clients_at, demo_user
from clients.trading.demo_week import live_accounts_of
from clients.trading.models import TradingAccount
from clients.trading.services.snapshots import account_states_refresh_stale
from crm.configuration.models import FundingMethod
from crm.files.models import StoredFile
from crm.files.services import file_store, private_url
from crm.platforms.errors import TRANSIENT_ERRORS
from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.services import MAX_ATTEMPTS, platform_operation_execute
from crm.platforms.simulator import faults
from crm.platforms.simulator.demo import demo_outbox_run
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation
from crm.platforms.simulator.trading import simulate_trading
from crm.users.models import User
from crm.verification.models import VerificationScene
from crm.verification.services import email_code_required, email_code_send
from funds.deposits.models import Deposit, DepositEvent
from funds.deposits.services import deposit_approve, deposit_draft_create, deposit_reject, deposit_submit
from funds.models import INFO_FIELDS, Channel
from funds.transfers.models import Transfer, TransferEvent
from funds.transfers.services import transfer_request
from funds.withdrawals.models import Withdrawal, WithdrawalEvent
from funds.withdrawals.selectors import withdrawal_quote
from funds.withdrawals.services import withdrawal_approve, withdrawal_mark_paid, withdrawal_reject, withdrawal_request

D = Decimal
BANK, WIRE, USDT = "Local bank transfer", "International wire transfer", "USDT (TRC-20)"
DAY = timedelta(days=1)

# (client, channel, amount in USD, days ago it was paid in; 0: approved today)
CREDITED = [
    ("wei.zhang", BANK, "8000.00", 6),
    ("li.na", WIRE, "12000.00", 6),
    ("chen.jie", BANK, "3000.00", 5),
    ("wang.fang", BANK, "6000.00", 5),
    ("liu.yang", WIRE, "25000.00", 4),
    ("tan.mei.ling", BANK, "9000.00", 4),
    ("lim.wei.jie", BANK, "6000.00", 3),
    ("nguyen.van.an", WIRE, "15000.00", 3),
    ("somchai.p", BANK, "4000.00", 2),
    ("hiroshi.sato", WIRE, "10000.00", 2),
    ("kim.minjun", BANK, "3500.00", 1),
    ("ahmed.hassan", WIRE, "30000.00", 1),
    ("wei.zhang", BANK, "1500.00", 0),
    ("li.na", BANK, "2500.00", 0),
    ("chen.jie", BANK, "800.00", 0),
]
SUBMITTED = [
    ("wang.fang", BANK, "2000.00"),
    ("liu.yang", WIRE, "5000.00"),
    ("tan.mei.ling", BANK, "1200.00"),
    ("lim.wei.jie", WIRE, "20000.00"),
    ("nguyen.van.an", BANK, "750.00"),
]
REJECTED_DEPOSITS = [
    ("somchai.p", BANK, "3000.00", 3, "The receipt does not show our order number; please pay again with it."),
    ("kim.minjun", BANK, "1000.00", 2, "The payment came from an account in another person's name."),
]
# The platform was down when this credit was due: the operation gave up and waits for a retry.
FAILED_CREDIT = ("hiroshi.sato", BANK, "2000.00")

# (client, channel, payout currency, amount in USD, what happens, days ago)
PENDING, TO_PAY, SECOND, PAID, REJECTED = "pending", "to_pay", "second_approval", "paid", "rejected"
WITHDRAWALS = [
    ("li.na", BANK, "CNY", "800.00", PENDING, 0),
    ("liu.yang", WIRE, "USD", "2000.00", PENDING, 0),
    ("lim.wei.jie", USDT, "USDT", "500.00", PENDING, 0),
    ("hiroshi.sato", BANK, "USD", "1200.00", PENDING, 0),
    ("ahmed.hassan", WIRE, "USD", "15000.00", SECOND, 0),
    ("nguyen.van.an", BANK, "USD", "3000.00", TO_PAY, 0),
    ("chen.jie", BANK, "USD", "1000.00", PAID, 2),
    ("tan.mei.ling", USDT, "USDT", "500.00", PAID, 1),
    ("somchai.p", BANK, "CNY", "700.00", REJECTED, 1),
]
# (client, amount in USD from the first account to the second); the company approves below 1,000 at once.
TRANSFERS = [("wei.zhang", "500.00"), ("tan.mei.ling", "2500.00"), ("hiroshi.sato", "1500.00")]
PAYOUT_DETAILS = {
    FundingMethod.BANK_TRANSFER: lambda name: {
        "account_holder_name": name,
        "bank_name": "中国工商银行",
        "account_number": "6222021001234567890",
        "branch": "上海陆家嘴支行",
        "bank_address": "",
        "country": "CN",
    },
    FundingMethod.INTERNATIONAL_WIRE_TRANSFER: lambda name: {
        "account_holder_name": name,
        "bank_name": "HSBC Hong Kong",
        "account_number": "004-123-456789-001",
        "swift_code": "HSBCHKHHHKH",
        "iban": "",
        "branch": "",
        "bank_address": "1 Queen's Road Central, Hong Kong",
        "beneficiary_address": "88 Harbour Road, Hong Kong",
        "country": "HK",
    },
    FundingMethod.CRYPTOCURRENCY: lambda name: {
        "network": "TRC20",
        "wallet_address": "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
        "account_holder_name": "",
    },
}


def _user(slug: str) -> User:
    return User.objects.get(email=f"{slug}@{DOMAIN}")


def _account(user: User, position: int = 0) -> TradingAccount:
    return TradingAccount.objects.filter(user=user, is_demo=False).order_by("id")[position]


def _channel(name: str) -> Channel:
    return Channel.objects.get(**{"name_i18n__en-US": name})


def _shift(queryset, fields: list[str], delta: timedelta) -> None:
    """Move a row's past back by `delta` (the services stamp `now`; this week happened earlier)."""
    if delta:
        queryset.update(**{field: F(field) - delta for field in fields})


def _back_date_deposit(deposit: Deposit, days: int) -> None:
    delta = days * DAY
    _shift(
        Deposit.objects.filter(pk=deposit.pk),
        ["created_at", "updated_at", "expires_at", "submitted_at", "decided_at", "credited_at"],
        delta,
    )
    _shift(DepositEvent.objects.filter(deposit=deposit), ["created_at"], delta)


def _submitted_deposit(slug: str, channel: str, amount: str) -> Deposit:
    user = _user(slug)
    deposit = deposit_draft_create(
        user=user, trading_account_id=_account(user).pk, channel_id=_channel(channel).pk, deposit_amount=D(amount)
    )
    receipt = file_store(
        owner=user, upload=ContentFile(PNG, name="receipt.png"), purpose=StoredFile.Purpose.DEPOSIT_RECEIPT
    )
    return deposit_submit(user=user, order_number=deposit.order_number, receipt_url=private_url(stored_file=receipt))


def _deposits(reviewer: User) -> None:
    for slug, channel, amount, days in CREDITED:
        deposit = _submitted_deposit(slug, channel, amount)
        deposit_approve(deposit_id=deposit.pk, by=reviewer)
        demo_outbox_run()
        _back_date_deposit(deposit, days)
    for slug, channel, amount in SUBMITTED:
        _submitted_deposit(slug, channel, amount)
    for slug, channel, amount, days, reason in REJECTED_DEPOSITS:
        deposit = _submitted_deposit(slug, channel, amount)
        deposit_reject(deposit_id=deposit.pk, by=reviewer, reason=reason)
        _back_date_deposit(deposit, days)


def _failed_credit(reviewer: User) -> None:
    slug, channel, amount = FAILED_CREDIT
    deposit = _submitted_deposit(slug, channel, amount)
    deposit = deposit_approve(deposit_id=deposit.pk, by=reviewer)
    server = TradingServer.objects.get(pk=_account(_user(slug)).server_id)
    # Every attempt finds the platform down, until the outbox gives up (as its worker would, over hours).
    faults.inject(server, operation="balance_operation", fault=faults.Fault.UNAVAILABLE, times=MAX_ATTEMPTS)
    try:
        for _attempt in range(MAX_ATTEMPTS + 1):
            PlatformOperation.objects.filter(pk=deposit.operation_id, status="pending").update(locked_until=None)
            try:
                platform_operation_execute(operation_id=deposit.operation_id)
            except TRANSIENT_ERRORS:  # the failures are the point; the last attempt marks it failed
                continue
    finally:
        faults.clear(server)


def _email_code(user: User, scene: str) -> str | None:
    """The code the client would read in the e-mail the company asks for (None when it asks for none)."""
    if not email_code_required(scene=scene):
        return None
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        email_code_send(email=None, scene=scene, user=user)
        return re.search(r"\d{6}", mail.outbox[-1].subject).group()


def _withdrawals(reviewer: User, admin: User) -> None:
    for slug, channel_name, currency, amount, outcome, days in WITHDRAWALS:
        user = _user(slug)
        account, channel = _account(user), _channel(channel_name)
        quote = withdrawal_quote(
            user=user, account=account, channel_id=channel.pk, currency=currency, withdrawal_amount=D(amount)
        )
        withdrawal = withdrawal_request(
            user=user,
            trading_account_id=account.pk,
            channel_id=channel.pk,
            method=channel.method,
            currency=currency,
            withdrawal_amount=D(amount),
            fee=quote.fee,
            exchange_rate=quote.exchange_rate,
            remittance_amount=quote.remittance_amount,
            payout_details={INFO_FIELDS[channel.method]: PAYOUT_DETAILS[channel.method](user.name)},
            email_code=_email_code(user, VerificationScene.WITHDRAWAL),
        )
        demo_outbox_run()  # the hold is taken on the platform
        if outcome in (TO_PAY, SECOND, PAID):
            withdrawal_approve(withdrawal_id=withdrawal.pk, by=reviewer)
        if outcome == PAID:
            withdrawal_mark_paid(
                withdrawal_id=withdrawal.pk, by=admin, payment_reference=f"DEMO-PAY-{withdrawal.order_number[-6:]}"
            )
        if outcome == REJECTED:
            withdrawal_reject(
                withdrawal_id=withdrawal.pk, by=reviewer, reason="The payout account is not in your name."
            )
            demo_outbox_run()  # the hold is given back
        delta = days * DAY
        _shift(
            Withdrawal.objects.filter(pk=withdrawal.pk),
            ["created_at", "updated_at", "decided_at", "second_approved_at", "paid_at", "closed_at"],
            delta,
        )
        _shift(WithdrawalEvent.objects.filter(withdrawal=withdrawal), ["created_at"], delta)


def _transfers() -> None:
    for slug, amount in TRANSFERS:
        user = _user(slug)
        transfer = transfer_request(
            user=user,
            source_id=_account(user, 0).pk,
            target_id=_account(user, 1).pk,
            amount=D(amount),
            email_code=_email_code(user, VerificationScene.TRANSFER),
        )
        demo_outbox_run()
        if transfer.status != Transfer.Status.PENDING:  # approved at once: it happened two days ago
            _shift(
                Transfer.objects.filter(pk=transfer.pk),
                ["created_at", "updated_at", "decided_at", "completed_at"],
                2 * DAY,
            )
            _shift(TransferEvent.objects.filter(transfer=transfer), ["created_at"], 2 * DAY)


def _trading_week() -> None:
    """The simulator's traders start from the week's first deposit, so the accounts have a week of deals."""
    week_ago = timezone.now() - 7 * DAY
    for client in clients_at(Stage.APPROVED):
        for account in live_accounts_of(client):
            sim = SimAccount.objects.get(server_id=account.server_id, login=account.login)
            SimAccount.objects.filter(pk=sim.pk).update(created_at=week_ago)
            first = SimBalanceOperation.objects.filter(account=sim).order_by("created_at").first()
            if first is not None:
                SimBalanceOperation.objects.filter(pk=first.pk).update(created_at=week_ago)
    accounts = TradingAccount.objects.filter(user__email__endswith=f"@{DOMAIN}", is_demo=False)
    for server in TradingServer.objects.filter(pk__in=accounts.values("server_id")).order_by("pk"):
        logins = list(accounts.filter(server=server).values_list("login", flat=True))
        simulate_trading(server=server, logins=logins)


def load_demo_week(*, password: str) -> None:
    first = demo_user(clients_at(Stage.APPROVED)[0])
    if first is not None and not Deposit.objects.filter(user__email__endswith=f"@{DOMAIN}").exists():
        reviewer = User.objects.get(email=REVIEWER_EMAIL)
        admin = User.objects.get(email="admin@broker.example")
        _deposits(reviewer)
        _withdrawals(reviewer, admin)
        _transfers()
        _trading_week()
        _failed_credit(reviewer)
    _read_platform_figures()


def _read_platform_figures() -> None:
    """What the beat task does every minute, done now: the newcomer sees every account's figures at once."""
    for server in TradingServer.objects.filter(is_enabled=True).order_by("id"):
        while account_states_refresh_stale(server=server):
            pass
