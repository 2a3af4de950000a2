from datetime import timedelta

import factory
from django.utils import timezone

from crm.content.models import Audience
from crm.inbox.models import Delivery, Message, MessageState
from crm.users.tests.factories import UserFactory


class MessageFactory(factory.django.DjangoModelFactory):
    """A broadcast to everyone, published an hour ago (create users before it, or they joined after it)."""

    class Meta:
        model = Message
        skip_postgeneration_save = True

    kind = Message.Kind.BROADCAST
    audience = Audience.ALL
    title_i18n = factory.Sequence(lambda n: {"zh-CN": f"消息 {n}", "en-US": f"Message {n}"})
    content_i18n = factory.Sequence(lambda n: {"zh-CN": f"内容 {n}", "en-US": f"Content {n}"})
    sender = "Customer service"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def recipients(obj, create, extracted, **kwargs):
        """`MessageFactory(recipients=[user, …])`: a direct message to them."""
        if create and extracted is not None:
            obj.kind, obj.audience = Message.Kind.DIRECT, Audience.ALL
            obj.save(update_fields=["kind", "audience"])
            Delivery.objects.bulk_create([Delivery(message=obj, user=user) for user in extracted])

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.countries.set(extracted)

    @factory.post_generation
    def languages(obj, create, extracted, **kwargs):
        if create and extracted:
            for language in extracted:
                obj.segment_languages.create(language=language)


class MessageStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageState

    user = factory.SubFactory(UserFactory)
    message = factory.SubFactory(MessageFactory)
    read_at = factory.LazyFunction(timezone.now)
