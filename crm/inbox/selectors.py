"""Reads of the message centre: a user's inbox, its unread count, and whom a message reaches."""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.content.models import Audience
from crm.inbox.errors import MessageNotFound
from crm.inbox.models import Delivery, Message, MessageLanguage, MessageState
from crm.users.models import User

CountryLimit = Message.countries.through

# The broadcast audiences each role belongs to. Staff have no portal, so no broadcast reaches them.
AUDIENCES_OF_ROLE: dict[str, list[str]] = {
    User.Role.CLIENT: [Audience.CLIENT, Audience.ALL],
    User.Role.IB: [Audience.IB, Audience.ALL],
}


def _addressed_to(user: User) -> Q:
    """Messages meant for `user`: direct ones to them, and broadcasts to a segment they are in."""
    direct = Q(kind=Message.Kind.DIRECT) & Q(Exists(Delivery.objects.filter(message=OuterRef("pk"), user=user)))
    audiences = AUDIENCES_OF_ROLE.get(user.role)
    if not audiences:
        return direct
    # "Not limited, or limited to theirs" (NOT EXISTS / EXISTS on the small limit tables).
    country_matches = ~Q(Exists(CountryLimit.objects.filter(message=OuterRef("pk"))))
    if user.country_id is not None:
        country_matches |= Q(Exists(CountryLimit.objects.filter(message=OuterRef("pk"), country=user.country_id)))
    language_matches = ~Q(Exists(MessageLanguage.objects.filter(message=OuterRef("pk")))) | Q(
        Exists(MessageLanguage.objects.filter(message=OuterRef("pk"), language=user.language))
    )
    broadcast = (
        Q(kind=Message.Kind.BROADCAST, audience__in=audiences, published_at__gte=user.date_joined)
        & country_matches
        & language_matches
    )
    return direct | broadcast


def messages_for(*, user: User, include_hidden: bool = False, at: datetime | None = None) -> QuerySet[Message]:
    """The published messages of `user`'s inbox, newest first, each annotated with the user's
    `read_at`, `hidden_at` and `is_read` (one LEFT JOIN on their own state row; no query per row).

    Hidden messages are left out unless `include_hidden`.
    """
    messages = (
        Message.objects.filter(_addressed_to(user), published_at__lte=at or timezone.now())
        .annotate(
            own_state=FilteredRelation("states", condition=Q(states__user=user)),
            read_at=F("own_state__read_at"),
            hidden_at=F("own_state__hidden_at"),
            is_read=ExpressionWrapper(Q(own_state__read_at__isnull=False), output_field=BooleanField()),
        )
        .order_by("-published_at", "-id")
    )
    if not include_hidden:
        # Through the annotation: a filter on `own_state__…` would join the state table once more.
        messages = messages.filter(hidden_at__isnull=True)
    return messages


def message_of(*, user: User, message_id: int, include_hidden: bool = False) -> Message:
    """One message of `user`'s inbox (annotated as in `messages_for`); 404 `message_not_found` otherwise."""
    message = messages_for(user=user, include_hidden=include_hidden).filter(pk=message_id).first()
    if message is None:
        raise MessageNotFound(code="message_not_found", message=_("No such message."))
    return message


def message_unread_count(*, user: User, at: datetime | None = None) -> int:
    """How many messages of `user`'s inbox (hidden ones aside) they have not read. One query."""
    # `read_at` is an annotation of messages_for, which the plugin cannot see through its return type.
    return messages_for(user=user, at=at).filter(read_at__isnull=True).count()  # type: ignore[misc]


def message_reached_users(*, message: Message) -> QuerySet[User]:
    """The users `message` reaches today: its recipients, or the members of its segment who had joined
    when it was published (users who join later never see it)."""
    if not message.is_broadcast:
        return User.objects.filter(message_deliveries__message=message)
    roles = [role for role, audiences in AUDIENCES_OF_ROLE.items() if message.audience in audiences]
    users = User.objects.filter(role__in=roles, date_joined__lte=message.published_at)
    country_ids = list(CountryLimit.objects.filter(message=message).values_list("country_id", flat=True))
    if country_ids:
        users = users.filter(country__in=country_ids)
    languages = list(message.segment_languages.values_list("language", flat=True))
    if languages:
        users = users.filter(language__in=languages)
    return users


def message_read_count(*, message: Message) -> int:
    return MessageState.objects.filter(message=message, read_at__isnull=False).count()
