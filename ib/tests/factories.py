"""Factories of the IB network, plans and commissions. `ib_user()` makes a whole IB in one call."""

from decimal import Decimal

import factory
from django.utils import timezone

from clients.trading.tests.factories import client_user
from crm.users.models import User
from crm.users.tests.factories import UserFactory
from ib.models import (
    ClientAttribution,
    IbAncestry,
    IbProfile,
    RebateAccount,
    RebatePlan,
    RebatePlanVersion,
    RebateRate,
)


class RebatePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RebatePlan

    name = factory.Sequence(lambda n: f"Plan {n}")
    currency = "USD"


class RebatePlanVersionFactory(factory.django.DjangoModelFactory):
    """A published version applying to every deal since 2020."""

    class Meta:
        model = RebatePlanVersion

    plan = factory.SubFactory(RebatePlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = RebatePlanVersion.Status.PUBLISHED
    effective_from = factory.LazyFunction(lambda: timezone.make_aware(timezone.datetime(2020, 1, 1)))
    published_at = factory.LazyFunction(timezone.now)


class RebateRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RebateRate

    version = factory.SubFactory(RebatePlanVersionFactory)
    level = 0
    per_lot = Decimal("5.0000")


class IbProfileFactory(factory.django.DjangoModelFactory):
    """An IB row; its closure rows are written by `ib_ancestry_rebuild`-like logic in `_create`."""

    class Meta:
        model = IbProfile

    user = factory.SubFactory(UserFactory, role=User.Role.IB)
    referral_code = factory.Sequence(lambda n: f"IB{n:06d}")
    parent = None
    plan = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        profile = super()._create(model_class, *args, **kwargs)
        rows = [IbAncestry(ib=profile, ancestor=profile, depth=0)]
        if profile.parent_id:
            rows += [
                IbAncestry(ib=profile, ancestor_id=row.ancestor_id, depth=row.depth + 1)
                for row in IbAncestry.objects.filter(ib_id=profile.parent_id)
            ]
        IbAncestry.objects.bulk_create(rows)
        return profile


class ClientAttributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientAttribution

    client = factory.LazyFunction(client_user)
    ib = factory.SubFactory(IbProfileFactory)
    effective_from = factory.LazyFunction(lambda: timezone.make_aware(timezone.datetime(2020, 1, 1)))
    source = "invite_code"


class RebateAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RebateAccount

    ib = factory.SubFactory(IbProfileFactory)
    trading_account = factory.SubFactory(
        "clients.trading.tests.factories.TradingAccountFactory", user=factory.SelfAttribute("..ib.user")
    )
    is_enabled = True
