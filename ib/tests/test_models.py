from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clients.trading.tests.factories import ClosedDealFactory
from ib.models import IbAncestry, RebateAccount
from ib.tests.factories import IbProfileFactory, RebateAccountFactory


@pytest.mark.django_db
def test_the_closure_table_holds_every_ancestor_with_its_depth():
    master = IbProfileFactory()
    sub = IbProfileFactory(parent=master)
    subsub = IbProfileFactory(parent=sub)

    assert sorted(IbAncestry.objects.filter(ib=subsub).values_list("ancestor_id", "depth")) == sorted(
        [(subsub.pk, 0), (sub.pk, 1), (master.pk, 2)]
    )


@pytest.mark.django_db
def test_an_ib_has_one_enabled_rebate_account_at_most():
    first = RebateAccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RebateAccountFactory(ib=first.ib)
    RebateAccountFactory(ib=first.ib, is_enabled=False)
    assert RebateAccount.objects.filter(ib=first.ib).count() == 2


@pytest.mark.django_db
def test_a_deal_is_mirrored_once_per_server_ticket():
    deal = ClosedDealFactory()
    assert deal.volume_lots == Decimal("1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedDealFactory(trading_account=deal.trading_account, deal_ticket=deal.deal_ticket)
