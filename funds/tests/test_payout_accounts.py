"""Payout accounts in the database and the services: one default per owner and method, even under races."""

import threading

import pytest
from django.db import IntegrityError, connections

from crm.configuration.models import FundingMethod
from crm.configuration.tests.factories import CountryFactory
from crm.users.tests.factories import UserFactory
from funds.errors import FundsError
from funds.models import PayoutAccount
from funds.services import payout_account_create, payout_account_update
from funds.tests.factories import PayoutAccountFactory, bank_transfer_info


@pytest.mark.django_db
def test_the_database_holds_one_default_per_owner_and_method():
    account = PayoutAccountFactory(is_default=True)
    PayoutAccountFactory(owner=account.owner, is_default=True, crypto=True)  # another method
    PayoutAccountFactory(owner=account.owner, is_default=False, is_deleted=False)

    with pytest.raises(IntegrityError):
        PayoutAccountFactory(owner=account.owner, is_default=True)


@pytest.mark.django_db
def test_the_database_keeps_the_details_to_the_accounts_method():
    with pytest.raises(IntegrityError):
        PayoutAccountFactory(cryptocurrency_info={"network": "TRC20"})  # a bank account with wallet details


@pytest.mark.django_db
def test_a_deleted_account_cannot_be_the_default():
    with pytest.raises(IntegrityError):
        PayoutAccountFactory(is_default=True, is_deleted=True)


@pytest.mark.django_db
def test_the_service_refuses_an_unknown_method():
    with pytest.raises(FundsError) as refused:
        payout_account_create(owner=UserFactory(), payment_method="cash", info={})

    assert refused.value.fields == {"payment_method": ["Unknown payment method."]}


@pytest.mark.django_db(transaction=True)
def test_concurrent_default_switches_leave_exactly_one_default():
    owner = UserFactory()
    accounts = [PayoutAccountFactory(owner=owner, is_default=index == 0) for index in range(6)]
    barrier = threading.Barrier(len(accounts))
    errors: list[Exception] = []

    def make_default(account_id: int) -> None:
        try:
            barrier.wait()
            payout_account_update(owner=owner, account_id=account_id, is_default=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=make_default, args=(account.pk,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert PayoutAccount.objects.filter(owner=owner, is_default=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_accounts_make_one_default():
    CountryFactory(code="CN")
    owner = UserFactory()
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def create() -> None:
        try:
            barrier.wait()
            payout_account_create(owner=owner, payment_method=FundingMethod.BANK_TRANSFER, info=bank_transfer_info())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert list(PayoutAccount.objects.filter(owner=owner).values_list("is_default", flat=True).order_by("id")) == [
        True,
        False,
        False,
        False,
    ]
