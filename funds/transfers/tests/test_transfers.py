"""Transfers between a client's own accounts: both legs through the outbox, never one without the other."""

from decimal import Decimal

import pytest

from crm.configuration.models import VerificationScene
from crm.inbox.models import Message
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_execute, platform_operation_retry
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount, SimBalanceOperation
from crm.verification.tests.factories import EmailCodeFactory
from funds.errors import FundsError
from funds.ledger.reconciliation import reconcile
from funds.ledger.selectors import ledger_balance
from funds.ledger.services import client_hold_account, client_trading_account
from funds.transfers import services
from funds.transfers.models import Transfer, TransferSettings
from funds.withdrawals.models import FundingUsage, Usage
from funds.withdrawals.selectors import hold_differences
from funds.withdrawals.tests.helpers import (
    drain_on_platform,
    entries_of,
    funded_account,
    money_snapshot,
    platform_balance,
    run_outbox,
)

D = Decimal
pytestmark = pytest.mark.django_db


def transfer(user, source, target, amount: str = "100.00", **extra) -> Transfer:
    return services.transfer_request(user=user, source_id=source.pk, target_id=target.pk, amount=D(amount), **extra)


def ledger(account) -> Decimal:
    return ledger_balance(account=client_trading_account(trading_account=account))


def books(source, target) -> tuple:
    """(ledger source, ledger source hold, ledger target, platform source, platform target)."""
    return (
        ledger(source),
        ledger_balance(account=client_hold_account(trading_account=source)),
        ledger(target),
        platform_balance(source),
        platform_balance(target),
    )


def assert_books_agree():
    assert reconcile() == []
    assert hold_differences() == []


# --- the happy paths ------------------------------------------------------------------------------------


def test_a_small_transfer_is_approved_at_once_and_completes_after_both_legs(client_user, source, target):
    made = transfer(client_user, source, target, "100.00", remark="to ECN")

    assert (made.status, made.is_auto_approved, made.decided_by, made.rate, made.target_amount) == (
        "approved",
        True,
        None,
        D("1"),
        D("100.00"),
    )
    assert made.order_number.startswith("T")
    hold = made.hold
    assert (hold.hold_key, hold.release_key, hold.purpose) == (
        f"transfer:{made.pk}:out",
        f"transfer:{made.pk}:release",
        "transfer",
    )
    assert entries_of(hold.hold_journal) == [
        (f"client_hold:{source.pk}", D("-100.00")),
        (f"client_trading:{source.pk}", D("100.00")),
    ]
    assert hold.hold_operation.payload == {
        "login": source.login,
        "kind": "withdrawal",
        "amount": "100.00",
        "comment": f"Transfer {made.order_number} to {target.login}",
    }
    assert made.in_operation is None  # the in leg waits for the platform's answer to the out leg
    assert_books_agree()

    operations = run_outbox()

    assert [(operation.idempotency_key, operation.status) for operation in operations] == [
        (f"transfer:{made.pk}:out", "done"),
        (f"transfer:{made.pk}:in", "done"),
    ]
    made.refresh_from_db()
    assert (made.status, made.completed_at is not None) == ("completed", True)
    assert entries_of(made.in_journal) == [
        (f"client_hold:{source.pk}", D("100.00")),
        (f"client_trading:{target.pk}", D("-100.00")),
    ]
    assert made.in_operation.payload == {
        "login": target.login,
        "kind": "deposit",
        "amount": "100.00",
        "comment": f"Transfer {made.order_number} from {source.login}",
    }
    assert books(source, target) == (D("4900.00"), D("0"), D("100.00"), D("4900.00"), D("100.00"))
    assert list(made.events.values_list("action", "to_status")) == [
        ("requested", "pending"),
        ("approved", "approved"),
        ("out_leg_applied", "approved"),
        ("in_leg_requested", "approved"),
        ("completed", "completed"),
    ]
    assert Message.objects.get().title_i18n["en-US"] == "Transfer completed"
    assert_books_agree()


def test_a_large_transfer_waits_for_staff_then_moves_at_once(client_user, source, target, staff):
    made = transfer(client_user, source, target, "1000.00")  # not below 1000.00
    assert (made.status, made.is_auto_approved) == ("pending", False)
    run_outbox()
    assert books(source, target) == (D("4000.00"), D("1000.00"), D("0"), D("4000.00"), D("0"))

    approved = services.transfer_approve(transfer_id=made.pk, by=staff)

    assert (approved.status, approved.decided_by, approved.in_operation.status) == ("approved", staff, "pending")
    run_outbox()
    made.refresh_from_db()
    assert made.status == "completed"
    assert books(source, target) == (D("4000.00"), D("0"), D("1000.00"), D("4000.00"), D("1000.00"))
    assert_books_agree()


def test_an_approval_before_the_out_leg_is_done_moves_the_money_when_it_is(client_user, source, target, staff):
    made = transfer(client_user, source, target, "2000.00")

    approved = services.transfer_approve(transfer_id=made.pk, by=staff)

    assert (approved.status, approved.in_operation) == ("approved", None)
    run_outbox()
    made.refresh_from_db()
    assert made.status == "completed"
    assert books(source, target)[2:] == (D("2000.00"), D("3000.00"), D("2000.00"))


def test_auto_approval_follows_the_company_setting(client_user, source, target):
    settings = TransferSettings.load()
    settings.auto_approve_below = D("0")
    settings.save()

    assert transfer(client_user, source, target, "0.01").status == "pending"


def test_a_transfer_into_another_currency_is_converted(client_user, source, usd):
    from funds.ledger.tests.factories import platform_account
    from funds.tests.factories import ExchangeRateFactory, currency

    ExchangeRateFactory(from_currency=usd, to_currency=currency("EUR"), rate=D("0.9"))
    euro = platform_account(user=client_user)
    euro.currency = "EUR"  # the simulator keeps USD; the CRM's books are what this checks
    euro.save()

    made = transfer(client_user, source, euro, "100.00")

    assert (made.rate, made.target_amount, made.target_currency.code) == (D("0.9"), D("90.00"), "EUR")
    platform_operation_execute(operation_id=made.hold.hold_operation_id)
    made.refresh_from_db()
    assert entries_of(made.in_journal) == [
        (f"client_hold:{source.pk}", D("100.00")),
        (f"client_trading:{euro.pk}", D("-90.00")),
        ("fx_conversion:EUR", D("90.00")),
        ("fx_conversion:USD", D("-100.00")),
    ]


# --- rejection ----------------------------------------------------------------------------------------------


def test_a_rejection_gives_the_money_back_to_the_source(client_user, source, target, staff):
    made = transfer(client_user, source, target, "1500.00")
    run_outbox()

    rejected = services.transfer_reject(transfer_id=made.pk, by=staff, reason="Please call us")

    assert (rejected.status, rejected.reason, rejected.hold.status) == ("rejected", "Please call us", "released")
    run_outbox()
    assert books(source, target) == (D("5000.00"), D("0"), D("0"), D("5000.00"), D("0"))
    assert_books_agree()


def test_a_rejection_before_the_out_leg_is_done_waits_for_it(client_user, source, target, staff):
    made = transfer(client_user, source, target, "1500.00")
    services.transfer_reject(transfer_id=made.pk, by=staff, reason="No")
    assert_books_agree()

    keys = [operation.idempotency_key for operation in run_outbox()]

    assert keys == [f"transfer:{made.pk}:out", f"transfer:{made.pk}:release"]
    assert books(source, target) == (D("5000.00"), D("0"), D("0"), D("5000.00"), D("0"))
    assert_books_agree()


@pytest.mark.parametrize("call", ["approve", "reject"])
def test_a_decided_transfer_cannot_be_decided_again(client_user, source, target, staff, call):
    made = transfer(client_user, source, target, "100.00")  # approved at once
    run_outbox()
    before = money_snapshot(source, target)

    with pytest.raises(FundsError) as refused:
        if call == "approve":
            services.transfer_approve(transfer_id=made.pk, by=staff)
        else:
            services.transfer_reject(transfer_id=made.pk, by=staff, reason="Late")

    assert (refused.value.code, refused.value.status) == ("transfer_not_pending", 409)
    assert money_snapshot(source, target) == before


# --- refusals at the request ------------------------------------------------------------------------------


def test_refusals_change_nothing(client_user, other_user, source, target, security):
    from funds.ledger.tests.factories import platform_account

    theirs = funded_account(other_user, "100.00")
    demo = platform_account(user=client_user, is_demo=True, balance="100.00")
    cases = [
        ((source, source, "10.00"), (400, "same_account", "target_trading_account_id")),
        ((theirs, target, "10.00"), (404, "trading_account_not_found", "source_trading_account_id")),
        ((source, theirs, "10.00"), (404, "trading_account_not_found", "target_trading_account_id")),
        ((source, target, "0"), (400, "invalid_input", "amount")),
        ((source, target, "-5.00"), (400, "invalid_input", "amount")),
        ((source, target, "1.001"), (400, "invalid_input", "amount")),
        ((source, target, "5000.01"), (400, "insufficient_free_margin", "amount")),
        ((source, demo, "10.00"), (409, "trading_account_is_demo", "target_trading_account_id")),
        ((demo, target, "10.00"), (409, "trading_account_is_demo", "source_trading_account_id")),
    ]
    before = money_snapshot(source, target)
    for (from_account, to_account, amount), (status, code, field) in cases:
        with pytest.raises(FundsError) as refused:
            transfer(client_user, from_account, to_account, amount)
        assert (refused.value.status, refused.value.code) == (status, code), (amount, code)
        assert field in refused.value.fields
    FundingUsage.objects.create(account_type=target.account_type, usage=Usage.WITHDRAWAL_ONLY)
    with pytest.raises(FundsError) as refused:
        transfer(client_user, source, target)
    assert (refused.value.code, list(refused.value.fields)) == (
        "account_usage_not_allowed",
        ["target_trading_account_id"],
    )
    security.email_verification_scenarios = [VerificationScene.TRANSFER]
    security.save()
    with pytest.raises(FundsError) as refused:
        transfer(client_user, target, source)
    assert refused.value.code == "email_code_required"
    assert money_snapshot(source, target) == before


def test_the_email_code_is_spent_by_the_transfer_it_allows(client_user, source, target, security):
    security.email_verification_scenarios = [VerificationScene.TRANSFER]
    security.save()
    with pytest.raises(FundsError) as refused:
        transfer(client_user, source, target)
    assert refused.value.code == "email_code_required"
    code = EmailCodeFactory(email=client_user.email, scene=VerificationScene.TRANSFER, code="112233")

    transfer(client_user, source, target, email_code="112233")

    code.refresh_from_db()
    assert code.consumed_at is not None


# --- the platform misbehaves on the second leg ---------------------------------------------------------------


@pytest.mark.parametrize("fault", ["timeout_before", "timeout_after", "unavailable"])
def test_a_second_leg_that_fails_for_a_while_is_applied_exactly_once(client_user, source, target, fault):
    made = transfer(client_user, source, target, "250.00")
    faults.inject(target.server, operation="balance_operation", fault=fault, times=3)

    run_outbox()

    made.refresh_from_db()
    in_operation = made.in_operation
    assert (made.status, in_operation.status, in_operation.attempts) == ("completed", "done", 4)
    assert SimBalanceOperation.objects.filter(idempotency_key=f"transfer:{made.pk}:in").count() == 1
    assert books(source, target) == (D("4750.00"), D("0"), D("250.00"), D("4750.00"), D("250.00"))
    assert made.events.filter(action="completed").count() == 1
    assert_books_agree()


def unknown_on_platform(account):
    """The platform no longer knows the account (archived): every operation on it is refused."""
    SimAccount.objects.filter(server=account.server, login=account.login).update(login=account.login + 50000)


def known_again(account):
    SimAccount.objects.filter(server=account.server, login=account.login + 50000).update(login=account.login)


def test_a_second_leg_the_platform_refuses_gives_the_money_back_to_the_source(client_user, source, target):
    made = transfer(client_user, source, target, "250.00")
    unknown_on_platform(target)
    operations = run_outbox()
    assert [(operation.status, operation.error_code) for operation in operations] == [
        ("done", ""),
        ("failed", "unknown_login"),
    ]

    assert services.transfers_fail_refused_legs() == [made.pk]

    made.refresh_from_db()
    assert (made.status, made.hold.status) == ("failed", "released")
    assert "unknown_login" in made.reason
    run_outbox()  # the source's money back on the platform
    known_again(target)
    assert books(source, target) == (D("5000.00"), D("0"), D("0"), D("5000.00"), D("0"))
    assert SimBalanceOperation.objects.filter(account__server=target.server).count() == 0
    assert [event.action for event in made.events.all()][-2:] == ["in_leg_requested", "failed"]
    assert services.transfers_fail_refused_legs() == []
    assert_books_agree()


def test_a_refused_second_leg_retried_after_the_failure_is_taken_back(client_user, source, target, staff):
    made = transfer(client_user, source, target, "250.00")
    unknown_on_platform(target)
    run_outbox()
    services.transfers_fail_refused_legs()
    run_outbox()
    known_again(target)

    # Staff retry the refused credit: it goes through now, and is taken back at once.
    platform_operation_retry(operation_id=Transfer.objects.get(pk=made.pk).in_operation_id, by=staff)
    keys = [operation.idempotency_key for operation in run_outbox()]

    assert keys == [f"transfer:{made.pk}:in", f"transfer:{made.pk}:in:reverse"]
    assert books(source, target) == (D("5000.00"), D("0"), D("0"), D("5000.00"), D("0"))
    assert Transfer.objects.get(pk=made.pk).status == "failed"
    assert_books_agree()


def test_a_first_leg_the_platform_refuses_deposits_nothing(client_user, source, target):
    made = transfer(client_user, source, target, "4000.00")
    drain_on_platform(source, "2000.00")  # the client withdrew on the platform meanwhile
    run_outbox()

    assert services.transfers_fail_refused_legs() == [made.pk]

    made.refresh_from_db()
    hold = made.hold
    assert (made.status, made.in_operation, hold.status, hold.platform_status, hold.release_operation) == (
        "failed",
        None,
        "released",
        "not_applied",
        None,
    )
    assert run_outbox() == []
    assert books(source, target) == (D("5000.00"), D("0"), D("0"), D("3000.00"), D("0"))
    assert PlatformOperation.objects.filter(idempotency_key__startswith=f"transfer:{made.pk}:in").count() == 0
    assert hold_differences() == []


def test_a_worker_killed_during_the_second_leg_leaves_it_applied_once(client_user, source, target, time_machine):
    from crm.platforms import services as outbox
    from crm.platforms.gateway import BalanceKind, gateway_for

    made = transfer(client_user, source, target, "300.00")
    platform_operation_execute(operation_id=made.hold.hold_operation_id)
    made.refresh_from_db()
    in_operation = made.in_operation
    claimed = outbox._claim(in_operation.pk)
    gateway_for(target.server).balance_operation(
        target.login, BalanceKind.DEPOSIT, D("300.00"), idempotency_key=in_operation.idempotency_key
    )

    time_machine.move_to(claimed.locked_until + outbox.LEASE)
    assert outbox.platform_operations_requeue_stale() == [in_operation.pk]
    assert platform_operation_execute(operation_id=in_operation.pk).status == "done"

    made.refresh_from_db()
    assert made.status == "completed"
    assert books(source, target) == (D("4700.00"), D("0"), D("300.00"), D("4700.00"), D("300.00"))
    assert made.events.filter(action="completed").count() == 1
    assert_books_agree()
