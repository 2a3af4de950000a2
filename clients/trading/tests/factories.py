from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from clients.models import ClientProfile, KycStatus, KycWay
from clients.trading.models import ClosedDeal, TradingAccount, TradingAccountType
from crm.configuration.models import Leverage
from crm.platforms.tests.factories import TradingServerFactory
from crm.users.tests.factories import UserFactory

DEFAULT_LEVERAGES = (100, 200, 500)


class LeverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Leverage
        django_get_or_create = ("value",)

    value = 100
    is_enabled = True


class ClientProfileFactory(factory.django.DjangoModelFactory):
    """A client whose KYC is approved (so live accounts are allowed under the default rule)."""

    class Meta:
        model = ClientProfile

    user = factory.SubFactory(UserFactory)
    kyc_status = KycStatus.APPROVED
    kyc_way = KycWay.MANUAL
    kyc_approved_at = factory.LazyFunction(timezone.now)


def client_user(*, kyc_status: str = KycStatus.APPROVED, **user_fields):
    """A client with a profile in `kyc_status`."""
    user = UserFactory(**user_fields)
    approved = kyc_status == KycStatus.APPROVED
    ClientProfileFactory(
        user=user,
        kyc_status=kyc_status,
        kyc_way=KycWay.MANUAL if approved else "",
        kyc_approved_at=timezone.now() if approved else None,
    )
    return user


class TradingAccountTypeFactory(factory.django.DjangoModelFactory):
    """A live MT5 type on its own simulator server, with leverages 1:100, 1:200 and 1:500."""

    class Meta:
        model = TradingAccountType
        skip_postgeneration_save = True

    name_i18n = factory.Sequence(lambda n: {"zh-CN": f"标准账户 {n}", "en-US": f"Standard {n}"})
    server = factory.SubFactory(TradingServerFactory)
    group = "real\\standard"
    currencies = factory.LazyFunction(lambda: ["USD"])
    min_deposit = "100.00"
    description_i18n = factory.LazyFunction(lambda: {"zh-CN": "点差低", "en-US": "Low spreads"})

    @factory.post_generation
    def leverages(obj, create, extracted, **kwargs):
        values = DEFAULT_LEVERAGES if extracted is None else extracted
        if create:
            obj.leverages.set([LeverageFactory(value=value) for value in values])


def demo_type(**kwargs) -> TradingAccountType:
    return TradingAccountTypeFactory(
        server=TradingServerFactory(is_demo=True, login_range_start=900000, login_range_end=999999),
        group="demo\\standard",
        name_i18n={"zh-CN": "模拟账户", "en-US": "Demo"},
        **kwargs,
    )


class TradingAccountFactory(factory.django.DjangoModelFactory):
    """A row only (no account on the platform): for tests that never ask the platform."""

    class Meta:
        model = TradingAccount

    user = factory.SubFactory(UserFactory)
    account_type = factory.SubFactory(TradingAccountTypeFactory)
    server = factory.LazyAttribute(lambda account: account.account_type.server)
    login = factory.Sequence(lambda n: 700000 + n)
    currency = "USD"
    leverage = 100
    is_demo = factory.LazyAttribute(lambda account: account.server.is_demo)


class ClosedDealFactory(factory.django.DjangoModelFactory):
    """A mirrored closed deal of a trading account: 1 lot of EURUSD, closed an hour ago."""

    class Meta:
        model = ClosedDeal

    trading_account = factory.SubFactory(TradingAccountFactory)
    server = factory.LazyAttribute(lambda deal: deal.trading_account.server)
    login = factory.LazyAttribute(lambda deal: deal.trading_account.login)
    deal_ticket = factory.Sequence(lambda n: 5_000_000 + n)
    position_ticket = factory.LazyAttribute(lambda deal: deal.deal_ticket)
    symbol = "EURUSD"
    symbol_group = "forex"
    side = "buy"
    volume_lots = Decimal("1.00")
    open_time = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    open_price = Decimal("1.08000")
    close_time = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    close_price = Decimal("1.08100")
    profit = Decimal("100.00")
    commission = Decimal("-7.00")
    swap = Decimal("0.00")
    spread_cost = Decimal("10.00")
    synced_at = factory.LazyFunction(timezone.now)
