from datetime import timedelta

import factory
from django.utils import timezone

from crm.content.models import Audience, Placement, Popup, PopupDismissal
from crm.users.tests.factories import UserFactory


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    slot = Placement.Slot.DASHBOARD_BANNER
    audience = Audience.ALL
    title_i18n = factory.Sequence(lambda n: {"zh-CN": f"投放 {n}", "en-US": f"Placement {n}"})
    content_i18n = factory.Sequence(lambda n: {"zh-CN": f"内容 {n}", "en-US": f"Content {n}"})
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class PopupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Popup

    audience = Audience.ALL
    title_i18n = factory.Sequence(lambda n: {"zh-CN": f"弹窗 {n}", "en-US": f"Popup {n}"})
    content_i18n = factory.Sequence(lambda n: {"zh-CN": f"内容 {n}", "en-US": f"Content {n}"})
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class PopupDismissalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopupDismissal

    user = factory.SubFactory(UserFactory)
    popup = factory.SubFactory(PopupFactory)
