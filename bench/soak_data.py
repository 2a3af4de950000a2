"""Soak clients for `bench/soak_embedded.py`, made through the product's own services.

`python -m bench.soak_data --clients 16` (from the project root, after `manage.py demo_data`)
gives each soak client a verified login, an approved KYC, two live accounts on the simulator
(the first funded by a real deposit: draft, receipt, staff approval, outbox credit) and a bank
payout account, and turns off e-mailed codes for transfers and withdrawals (a bench has no
mailbox); it prints what the driver needs as JSON. `--check` prints, as JSON, whether the
books hold after the soak: every journal sums to zero, the ledger reconciles with the platform,
holds match their ledger balance, and the outbox has settled.
"""

from __future__ import annotations

import argparse
import json
import os
from decimal import Decimal

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
FUNDING = Decimal("5000.00")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--check", action="store_true", help="Check the books instead of loading clients.")
    parser.add_argument("--out", required=True, help="Write the JSON here (the logs go to the console).")
    arguments = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
    import django

    django.setup()
    result = soak_books_check() if arguments.check else soak_data_load(clients=arguments.clients)
    with open(arguments.out, "w") as out:
        json.dump(result, out, default=str)


def soak_data_load(*, clients: int) -> dict:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from clients.models import KycStatus, KycWay
    from clients.selectors import client_profile_of
    from clients.trading import demo as trading_demo
    from crm.configuration.models import FundingMethod, SecuritySettings
    from crm.files.models import StoredFile
    from crm.files.services import file_store, private_url
    from crm.platforms.models import PlatformOperation
    from crm.platforms.services import platform_operation_execute, platform_operation_retry
    from crm.users.management.commands.demo_data import DEMO_PASSWORD, DEMO_USERS
    from crm.users.management.commands.demo_data import Command as DemoData
    from crm.users.models import User
    from funds.deposits.services import deposit_approve, deposit_draft_create, deposit_submit
    from funds.models import ChannelCurrency, Direction
    from funds.services import payout_account_create

    # A bench cannot read its mailbox: transfers and withdrawals go without e-mailed codes here.
    security = SecuritySettings.load()
    security.email_verification_scenarios = [
        scene for scene in security.email_verification_scenarios or [] if scene not in {"transfer", "withdrawal"}
    ]
    security.save()
    staff_email = next(email for email, _name, role in DEMO_USERS if role == User.Role.STAFF)
    staff = User.objects.get(email=staff_email)
    account_type = trading_demo._account_types()[("Sim MT5 Live", "real\\standard")]

    def usd_channel(direction: str) -> int:
        return (
            ChannelCurrency.objects.filter(
                direction=direction, currency__code="USD", channel__method=FundingMethod.BANK_TRANSFER
            )
            .order_by("channel_id")
            .values_list("channel_id", flat=True)
            .first()
        )

    deposit_channel, withdrawal_channel = usd_channel(Direction.DEPOSIT), usd_channel(Direction.WITHDRAWAL)
    made = []
    for index in range(clients):
        user = DemoData().ensure_user(f"soak{index}@broker.example", f"Soak Client {index}", User.Role.CLIENT)
        profile = client_profile_of(user=user)
        now = timezone.now()
        profile.kyc_status, profile.kyc_way = KycStatus.APPROVED, KycWay.MANUAL
        profile.kyc_submitted_at = profile.kyc_approved_at = profile.reviewed_at = now
        profile.save()
        accounts = [trading_demo._open(user, account_type, leverage=100, key=f"soak-{index}-{which}") for which in "ab"]
        deposit = deposit_draft_create(
            user=user, trading_account_id=accounts[0].pk, channel_id=deposit_channel, deposit_amount=FUNDING
        )
        receipt = file_store(
            owner=user, upload=ContentFile(PNG, name="receipt.png"), purpose=StoredFile.Purpose.DEPOSIT_RECEIPT
        )
        deposit_submit(user=user, order_number=deposit.order_number, receipt_url=private_url(stored_file=receipt))
        deposit = deposit_approve(deposit_id=deposit.pk, by=staff)
        platform_operation_execute(operation_id=deposit.operation_id)
        payout = payout_account_create(
            owner=user,
            payment_method=FundingMethod.BANK_TRANSFER,
            info={
                "account_holder_name": user.name,
                "bank_name": "Soak Bank",
                "account_number": f"6222000{index:08d}",
                "branch": "Main",
                "country": "CN",
            },
        )
        made.append(
            {"email": user.email, "accounts": [account.pk for account in accounts], "payout_account": payout.pk}
        )
    # The demo week leaves one platform operation failed on purpose (work waiting in the back
    # office). Staff retry it, as from the admin, so the soak starts from books that reconcile and
    # any difference afterwards is the soak's own.
    for operation_id in PlatformOperation.objects.filter(status=PlatformOperation.Status.FAILED).values_list(
        "pk", flat=True
    ):
        platform_operation_retry(operation_id=operation_id, by=staff)
        platform_operation_execute(operation_id=operation_id)
    return {
        "password": DEMO_PASSWORD,
        "staff": staff_email,
        "deposit_channel": deposit_channel,
        "withdrawal_channel": withdrawal_channel,
        "clients": made,
    }


def soak_books_check() -> dict:
    from collections import Counter, defaultdict

    from crm.platforms.models import PlatformOperation
    from funds.ledger.models import Entry
    from funds.ledger.reconciliation import reconcile
    from funds.withdrawals.selectors import hold_differences

    by_journal: dict[int, Decimal] = defaultdict(Decimal)
    for journal_id, amount in Entry.objects.values_list("journal_id", "amount").iterator():
        by_journal[journal_id] += amount
    differences = reconcile()
    return {
        "journals": len(by_journal),
        "unbalanced_journals": sum(1 for total in by_journal.values() if total != 0),
        "reconciliation_differences": [
            f"{d.login} {d.currency}: platform {d.platform_balance} ledger {d.ledger_balance} "
            f"in flight {d.in_flight} → {d.difference} {d.note}"
            for d in differences
        ],
        "hold_differences": len(hold_differences()),
        "outbox": dict(Counter(PlatformOperation.objects.values_list("status", flat=True))),
    }


if __name__ == "__main__":
    main()
