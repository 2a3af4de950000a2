from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clients.models import ClientSettings, KycStatus, LiveAccountRule
from clients.trading import services
from clients.trading.models import AccountApplication, TradingAccount, TradingSettings
from clients.trading.services.applications import account_application_on_opened
from clients.trading.tests.conftest import OBSERVE_PASSWORD, PASSWORD, execute
from clients.trading.tests.factories import client_user
from crm.audit.models import AuditEntry
from crm.errors import ApplicationError
from crm.inbox.models import Delivery
from crm.platforms.errors import PlatformTimeout
from crm.platforms.models import PlatformOperation
from crm.platforms.sealing import secrets_unseal
from crm.platforms.services import platform_operation_retry
from crm.platforms.simulator import faults
from crm.platforms.simulator.models import SimAccount, password_matches
from crm.platforms.tests.helpers import raw_operation_row

Status = AccountApplication.Status


def apply(user, account_type, **overrides) -> AccountApplication:
    arguments = {
        "user": user,
        "account_type_id": account_type.pk,
        "trading_platform": account_type.platform,
        "is_demo": account_type.is_demo,
        "currency": "USD",
        "leverage": 200,
        "password": PASSWORD,
        "observe_password": OBSERVE_PASSWORD,
    }
    return services.account_application_create(**{**arguments, **overrides})


def staff_approval_required():
    TradingSettings.objects.create(live_applications_auto_approve=False)


def audit_actions(target) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(target.pk), target_type__model=target._meta.model_name)
        .order_by("id")
        .values_list("action", flat=True)
    )


def refused(call, code: str, status: int) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


# --- approved at once -------------------------------------------------------------------


def test_a_demo_application_is_approved_at_once_and_the_outbox_opens_the_account(
    client_a, demo_account_type, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(client_a, demo_account_type, leverage=500)

    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.decided_by is None and application.decided_at is not None
    assert application.sealed_passwords == ""
    operation = application.operation
    assert operation.kind == PlatformOperation.Kind.CREATE_ACCOUNT
    assert operation.idempotency_key == f"account-application-{application.pk}"
    assert operation.payload == {
        "group": "demo\\standard",
        "currency": "USD",
        "leverage": 500,
        "name": "Alice Trader",
        "email": "alice@example.com",
        "is_demo": True,
        "main_password": "",
        "investor_password": "",
    }
    # While it waits, the passwords are only in the sealed box.
    waiting_row = raw_operation_row(operation.pk)
    assert PASSWORD not in waiting_row and OBSERVE_PASSWORD not in waiting_row
    assert secrets_unseal(operation.sealed_secrets) == {
        "main_password": PASSWORD,
        "investor_password": OBSERVE_PASSWORD,
    }
    assert sent_tasks == [operation.pk]
    assert not TradingAccount.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        execute(operation)

    application.refresh_from_db()
    account = TradingAccount.objects.get()
    assert application.status == Status.OPENED and application.opened_at is not None
    assert (account.user, account.application, account.server) == (client_a, application, demo_account_type.server)
    assert (account.login, account.currency, account.leverage, account.is_demo) == (900000, "USD", 500, True)
    sim = SimAccount.objects.get(server=account.server, login=account.login)
    assert (sim.group, sim.leverage, sim.is_demo) == ("demo\\standard", 500, True)
    assert password_matches(PASSWORD, sim.main_password)
    assert password_matches(OBSERVE_PASSWORD, sim.investor_password)
    # The passwords leave the CRM with the operation: not even sealed any more.
    operation.refresh_from_db()
    assert operation.payload["main_password"] == "" and operation.payload["investor_password"] == ""
    assert operation.sealed_secrets == ""
    done_row = raw_operation_row(operation.pk)
    assert PASSWORD not in done_row and OBSERVE_PASSWORD not in done_row
    assert audit_actions(application) == ["account_application.created", "account_application.approved"]
    assert audit_actions(account) == ["trading_account.opened"]
    delivery = Delivery.objects.select_related("message").get(user=client_a)
    assert delivery.message.title_i18n == {"zh-CN": "交易账户已开立", "en-US": "Trading account opened"}
    assert "900000" in delivery.message.content_i18n["en-US"]


def test_a_live_application_of_a_client_with_approved_kyc_opens_at_once_by_default(client_a, live_type):
    application = apply(client_a, live_type)

    assert application.status == Status.APPROVED
    execute(application.operation)
    account = TradingAccount.objects.get()
    assert (account.login, account.is_demo, account.leverage) == (500000, False, 200)


def test_without_an_observe_password_a_random_one_is_set(client_a, live_type):
    application = apply(client_a, live_type, observe_password="")

    investor_password = secrets_unseal(application.operation.sealed_secrets)["investor_password"]
    assert len(investor_password) == 12 and investor_password != PASSWORD


# --- waiting for staff ------------------------------------------------------------------


def test_a_live_application_waits_for_staff_when_auto_approval_is_off_with_its_passwords_sealed(
    client_a, live_type, sent_tasks, django_capture_on_commit_callbacks
):
    staff_approval_required()

    with django_capture_on_commit_callbacks(execute=True):
        application = apply(client_a, live_type)

    application.refresh_from_db()
    assert application.status == Status.PENDING
    assert application.operation is None and sent_tasks == []
    assert application.sealed_passwords and PASSWORD not in application.sealed_passwords
    assert OBSERVE_PASSWORD not in application.sealed_passwords
    assert Delivery.objects.get(user=client_a).message.title_i18n["en-US"] == "Account application received"


def test_a_live_application_waits_for_staff_while_the_kyc_is_only_submitted(db, live_type):
    rules = ClientSettings.load()
    rules.live_account_requires = LiveAccountRule.KYC_SUBMITTED
    rules.save()
    user = client_user(kyc_status=KycStatus.PENDING)

    assert apply(user, live_type).status == Status.PENDING


def test_staff_approve_a_pending_application_and_the_account_opens(client_a, staff, live_type, sent_tasks):
    staff_approval_required()
    application = apply(client_a, live_type)

    approved = services.account_application_approve(application_id=application.pk, approved_by=staff)

    assert approved.status == Status.APPROVED
    assert (approved.decided_by, approved.sealed_passwords) == (staff, "")
    assert secrets_unseal(approved.operation.sealed_secrets) == {
        "main_password": PASSWORD,
        "investor_password": OBSERVE_PASSWORD,
    }
    assert sent_tasks == []  # sent on commit
    execute(approved.operation)
    assert AccountApplication.objects.get().status == Status.OPENED
    assert TradingAccount.objects.get().login == 500000
    assert audit_actions(application) == ["account_application.created", "account_application.approved"]
    assert AuditEntry.objects.get(action="account_application.approved").actor == staff


def test_staff_reject_a_pending_application_erasing_its_passwords(
    client_a, staff, live_type, django_capture_on_commit_callbacks
):
    staff_approval_required()
    application = apply(client_a, live_type)

    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.account_application_reject(
            application_id=application.pk, rejected_by=staff, reason="Proof of address expired."
        )

    rejected.refresh_from_db()
    assert (rejected.status, rejected.reason, rejected.sealed_passwords) == (
        Status.REJECTED,
        "Proof of address expired.",
        "",
    )
    assert rejected.decided_by == staff and rejected.operation is None
    entry = AuditEntry.objects.get(action="account_application.rejected")
    assert (entry.actor, entry.reason) == (staff, "Proof of address expired.")
    message = Delivery.objects.filter(user=client_a).latest("id").message
    assert message.content_i18n["en-US"].endswith("Reason: Proof of address expired.")


def test_a_reason_is_required_to_reject(client_a, staff, live_type):
    staff_approval_required()
    application = apply(client_a, live_type)

    error = refused(
        lambda: services.account_application_reject(application_id=application.pk, rejected_by=staff, reason="  "),
        "invalid_input",
        400,
    )

    assert list(error.fields) == ["reason"]
    assert AccountApplication.objects.get().status == Status.PENDING


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_decided_applications_refuse_another_decision_and_change_nothing(client_a, staff, live_type, decision):
    staff_approval_required()
    application = apply(client_a, live_type)
    services.account_application_reject(application_id=application.pk, rejected_by=staff, reason="No.")
    audit_before = AuditEntry.objects.count()

    if decision == "approve":
        call = lambda: services.account_application_approve(application_id=application.pk, approved_by=staff)  # noqa: E731
    else:
        call = lambda: services.account_application_reject(  # noqa: E731
            application_id=application.pk, rejected_by=staff, reason="Again."
        )
    refused(call, "account_application_not_pending", 409)

    application.refresh_from_db()
    assert (application.status, application.reason, application.operation) == (Status.REJECTED, "No.", None)
    assert AuditEntry.objects.count() == audit_before
    assert not PlatformOperation.objects.exists()


def test_an_approved_application_cannot_be_approved_again(client_a, staff, live_type):
    application = apply(client_a, live_type)

    refused(
        lambda: services.account_application_approve(application_id=application.pk, approved_by=staff),
        "account_application_not_pending",
        409,
    )
    assert PlatformOperation.objects.count() == 1


def test_a_second_application_waiting_for_staff_is_refused(client_a, live_type):
    staff_approval_required()
    apply(client_a, live_type)
    audit_before = AuditEntry.objects.count()

    refused(lambda: apply(client_a, live_type), "account_application_pending", 409)

    assert AccountApplication.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_passwords_sealed_with_a_rotated_secret_key_are_lost_unless_it_is_a_fallback(
    client_a, staff, live_type, settings
):
    staff_approval_required()
    application = apply(client_a, live_type)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key"

    refused(
        lambda: services.account_application_approve(application_id=application.pk, approved_by=staff),
        "account_application_passwords_lost",
        409,
    )
    assert AccountApplication.objects.get().status == Status.PENDING

    settings.SECRET_KEY_FALLBACKS = [old_key]
    approved = services.account_application_approve(application_id=application.pk, approved_by=staff)
    assert secrets_unseal(approved.operation.sealed_secrets)["main_password"] == PASSWORD


# --- refusals before anything is written ------------------------------------------------


def nothing_written():
    assert not AccountApplication.objects.exists()
    assert not PlatformOperation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_live_accounts_need_kyc(db, live_type):
    user = client_user(kyc_status=KycStatus.FILLING)

    refused(lambda: apply(user, live_type), "kyc_required", 403)
    nothing_written()


def test_demo_accounts_can_be_switched_off(client_a, demo_account_type):
    rules = ClientSettings.load()
    rules.demo_accounts_enabled = False
    rules.save()

    refused(lambda: apply(client_a, demo_account_type), "demo_not_allowed", 403)
    nothing_written()


@pytest.mark.parametrize(
    ("overrides", "code", "fields"),
    [
        ({"trading_platform": "MT4"}, "invalid_input", ["trading_platform"]),
        ({"is_demo": True}, "invalid_input", ["is_demo"]),
        ({"leverage": 300}, "leverage_not_allowed", ["leverage"]),
        ({"password": "short1A"}, "invalid_trading_password", ["password"]),
        ({"password": "alllowercase1"}, "invalid_trading_password", ["password"]),
        ({"observe_password": "NoDigitsHere"}, "invalid_trading_password", ["observe_password"]),
        ({"account_type_id": 999999}, "account_type_unavailable", ["trading_account_type_id"]),
    ],
)
def test_requests_that_do_not_fit_the_type_are_refused(client_a, live_type, overrides, code, fields):
    error = refused(lambda: apply(client_a, live_type, **overrides), code, 400)

    assert list(error.fields) == fields
    nothing_written()


def test_a_disabled_type_or_one_for_another_registration_flow_is_unavailable(client_a, live_type):
    from clients.models import RegistrationTemplate

    live_type.registration_templates.set([RegistrationTemplate.objects.create(name="Other flow")])
    refused(lambda: apply(client_a, live_type), "account_type_unavailable", 400)

    live_type.registration_templates.clear()
    live_type.is_enabled = False
    live_type.save()
    refused(lambda: apply(client_a, live_type), "account_type_unavailable", 400)
    nothing_written()


def test_mt4_passwords_are_at_most_15_characters(client_a):
    from clients.trading.tests.factories import TradingAccountTypeFactory
    from crm.platforms.tests.factories import TradingServerFactory

    mt4_type = TradingAccountTypeFactory(server=TradingServerFactory(platform="MT4"))

    error = refused(lambda: apply(client_a, mt4_type, password="Sixteen-chars-12"), "invalid_trading_password", 400)
    assert list(error.fields) == ["password"]


# --- the platform -----------------------------------------------------------------------


def test_running_the_create_account_operation_twice_opens_one_account(client_a, live_type):
    application = apply(client_a, live_type)
    operation = execute(application.operation)

    assert execute(operation).status == PlatformOperation.Status.DONE  # already done: untouched
    account_application_on_opened(operation)  # the reaction itself is idempotent too

    assert TradingAccount.objects.count() == 1
    assert SimAccount.objects.filter(server=live_type.server).count() == 1
    assert AuditEntry.objects.filter(action="trading_account.opened").count() == 1


def test_a_platform_timeout_leaves_the_application_retryable_and_the_retry_opens_exactly_one_account(
    client_a, live_type
):
    faults.inject(live_type.server, "create_account", "timeout_after")
    application = apply(client_a, live_type)

    with pytest.raises(PlatformTimeout):
        execute(application.operation)

    application.refresh_from_db()
    operation = application.operation
    assert application.status == Status.APPROVED
    assert operation.status == PlatformOperation.Status.PENDING and operation.attempts == 1
    assert not TradingAccount.objects.exists()
    assert SimAccount.objects.filter(server=live_type.server).count() == 1  # the platform did open it

    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
        execute(operation)

    application.refresh_from_db()
    assert application.status == Status.OPENED
    account = TradingAccount.objects.get()
    assert account.login == SimAccount.objects.get(server=live_type.server).login
    assert SimAccount.objects.filter(server=live_type.server).count() == 1


def test_an_application_whose_operation_failed_can_be_marked_failed(
    client_a, staff, live_type, django_capture_on_commit_callbacks
):
    server = live_type.server
    server.connection_settings = {**server.connection_settings, "groups": ["real\\other"]}
    server.save()
    application = apply(client_a, live_type)

    refused(
        lambda: services.account_application_fail(application_id=application.pk, failed_by=staff),
        "account_application_not_failable",
        409,
    )
    assert execute(application.operation).status == PlatformOperation.Status.FAILED
    assert application.operation.sealed_secrets != ""  # kept while staff may still retry

    with django_capture_on_commit_callbacks(execute=True):
        failed = services.account_application_fail(application_id=application.pk, failed_by=staff)

    assert (failed.status, failed.reason) == (Status.FAILED, "invalid_group")
    # Given up: the passwords are erased, and the operation can no longer be retried.
    operation = PlatformOperation.objects.get(pk=application.operation.pk)
    assert operation.sealed_secrets == ""
    assert PASSWORD not in raw_operation_row(operation.pk)
    assert AuditEntry.objects.get(action="platform_operation.secrets_erased").actor == staff
    refused(
        lambda: platform_operation_retry(operation_id=operation.pk, by=staff),
        "platform_secrets_erased",
        409,
    )
    assert PlatformOperation.objects.get(pk=operation.pk).status == PlatformOperation.Status.FAILED
    assert AuditEntry.objects.get(action="account_application.failed").actor == staff
    assert Delivery.objects.get(user=client_a).message.title_i18n["en-US"] == "Account could not be opened"
    assert not TradingAccount.objects.exists()
    # The client may apply again.
    server.connection_settings = {key: value for key, value in server.connection_settings.items() if key != "groups"}
    server.save()
    assert apply(client_a, live_type).status == Status.APPROVED
