import pytest

from clients.trading import services
from clients.trading.models import LeverageChange, TradingAccount
from clients.trading.services.leverage import leverage_change_on_applied
from clients.trading.tests.conftest import execute
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.inbox.models import Delivery
from crm.platforms.models import PlatformOperation
from crm.platforms.simulator.models import SimAccount

Status = LeverageChange.Status


def refused(call, code: str, status: int) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


def request(user, account, leverage=500, remark="Scalping") -> LeverageChange:
    return services.leverage_change_request(user=user, account_id=account.pk, leverage=leverage, remark=remark)


def sim_leverage(account) -> int:
    return SimAccount.objects.get(server=account.server, login=account.login).leverage


def test_a_requested_change_waits_for_staff_then_goes_through_the_outbox(
    client_a, account_a, staff, django_capture_on_commit_callbacks
):
    change = request(client_a, account_a)

    assert (change.status, change.from_leverage, change.to_leverage, change.remark) == (
        Status.PENDING,
        100,
        500,
        "Scalping",
    )
    assert change.requested_by == client_a and change.operation is None
    assert AuditEntry.objects.get(action="leverage_change.requested").actor == client_a

    approved = services.leverage_change_approve(change_id=change.pk, approved_by=staff)

    assert (approved.status, approved.decided_by) == (Status.APPROVED, staff)
    operation = approved.operation
    assert (operation.kind, operation.payload) == (
        PlatformOperation.Kind.SET_LEVERAGE,
        {"login": account_a.login, "leverage": 500},
    )
    assert operation.idempotency_key == f"trading-account-{account_a.pk}-leverage-{change.pk}"
    assert TradingAccount.objects.get().leverage == 100  # not before the platform has it

    with django_capture_on_commit_callbacks(execute=True):
        execute(operation)

    change.refresh_from_db()
    assert change.status == Status.APPLIED and change.applied_at is not None
    assert TradingAccount.objects.get().leverage == 500
    assert sim_leverage(account_a) == 500
    assert AuditEntry.objects.get(action="trading_account.leverage_changed").data == {
        "from": 100,
        "to": 500,
        "leverage_change_id": change.pk,
    }
    message = Delivery.objects.get(user=client_a).message
    assert (
        message.content_i18n["en-US"] == f"The leverage of trading account {account_a.login} is now 1:500 (was 1:100)."
    )

    leverage_change_on_applied(operation)  # again: nothing more
    assert AuditEntry.objects.filter(action="trading_account.leverage_changed").count() == 1


@pytest.mark.parametrize("leverage", [300, 100])
def test_a_leverage_the_type_does_not_offer_or_the_current_one_is_refused(client_a, account_a, leverage):
    error = refused(lambda: request(client_a, account_a, leverage=leverage), "leverage_not_allowed", 400)

    assert list(error.fields) == ["leverage"]
    assert not LeverageChange.objects.exists()


def test_a_disabled_leverage_is_no_longer_offered(client_a, account_a):
    account_a.account_type.leverages.filter(value=500).update(is_enabled=False)

    refused(lambda: request(client_a, account_a, leverage=500), "leverage_not_allowed", 400)


def test_someone_elses_account_is_not_found(client_b, account_a):
    refused(lambda: request(client_b, account_a), "trading_account_not_found", 404)
    assert not LeverageChange.objects.exists()


@pytest.mark.parametrize("then_approve", [False, True])
def test_one_change_in_flight_per_account(client_a, account_a, staff, then_approve):
    first = request(client_a, account_a)
    if then_approve:
        services.leverage_change_approve(change_id=first.pk, approved_by=staff)
    audit_before = AuditEntry.objects.count()

    refused(lambda: request(client_a, account_a, leverage=200), "leverage_change_pending", 409)

    assert list(LeverageChange.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEntry.objects.count() == audit_before


def test_after_a_decision_a_new_change_can_be_requested(client_a, account_a, staff):
    first = request(client_a, account_a)
    services.leverage_change_reject(change_id=first.pk, rejected_by=staff, reason="Too high for you.")

    assert request(client_a, account_a, leverage=200).status == Status.PENDING


def test_a_rejected_change_refuses_approval_and_changes_nothing(
    client_a, account_a, staff, django_capture_on_commit_callbacks
):
    change = request(client_a, account_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.leverage_change_reject(change_id=change.pk, rejected_by=staff, reason="Too high for you.")
    audit_before = AuditEntry.objects.count()

    refused(
        lambda: services.leverage_change_approve(change_id=change.pk, approved_by=staff),
        "leverage_change_not_pending",
        409,
    )
    refused(
        lambda: services.leverage_change_reject(change_id=change.pk, rejected_by=staff, reason="Again"),
        "leverage_change_not_pending",
        409,
    )

    change.refresh_from_db()
    assert (change.status, change.reason, change.operation) == (Status.REJECTED, "Too high for you.", None)
    assert AuditEntry.objects.count() == audit_before
    assert PlatformOperation.objects.filter(kind=PlatformOperation.Kind.SET_LEVERAGE).count() == 0
    assert Delivery.objects.get(user=client_a).message.title_i18n["en-US"] == "Leverage change rejected"
    assert TradingAccount.objects.get().leverage == 100


def test_a_disabled_account_refuses_leverage_changes(client_a, account_a, staff):
    services.trading_account_status_set(account_id=account_a.pk, status="disabled", by=staff)

    refused(lambda: request(client_a, account_a), "trading_account_disabled", 409)
    assert AuditEntry.objects.get(action="trading_account.status_changed").data == {"from": "active", "to": "disabled"}


def test_a_change_the_platform_refuses_can_be_marked_failed(client_a, account_a, staff):
    server = account_a.server
    change = request(client_a, account_a)
    services.leverage_change_approve(change_id=change.pk, approved_by=staff)
    refused(
        lambda: services.leverage_change_fail(change_id=change.pk, failed_by=staff),
        "leverage_change_not_failable",
        409,
    )
    server.connection_settings = {**server.connection_settings, "max_leverage": 400}
    server.save()
    change.refresh_from_db()
    assert execute(change.operation).status == PlatformOperation.Status.FAILED

    failed = services.leverage_change_fail(change_id=change.pk, failed_by=staff, reason="Above the server maximum.")

    assert (failed.status, failed.reason) == (Status.FAILED, "Above the server maximum.")
    assert TradingAccount.objects.get().leverage == 100 and sim_leverage(account_a) == 100
    assert request(client_a, account_a, leverage=200).status == Status.PENDING
