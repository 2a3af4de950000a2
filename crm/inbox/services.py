"""Writes of the message centre: send a message; a user marks one read or hides it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.configuration.models import Country, validate_i18n_texts
from crm.content.models import Audience
from crm.inbox.errors import InboxError
from crm.inbox.models import SENDER_MAX_LENGTH, Delivery, Message, MessageLanguage, MessageState
from crm.inbox.selectors import message_of
from crm.users.models import Language, User


def _texts_errors(texts, *, label: str) -> list[str]:
    try:
        validate_i18n_texts(texts)
    except ValidationError as error:
        return list(error.messages)
    if not any(text.strip() for text in texts.values()):
        return [_("Give the %(label)s in at least one language.") % {"label": label}]
    return []


def _recipient_ids(recipients: Iterable[User] | QuerySet[User]) -> list[int]:
    if isinstance(recipients, QuerySet):
        return sorted(set(recipients.values_list("pk", flat=True)))
    return sorted({user.pk for user in recipients})


def _countries(countries: Iterable[Country | str]) -> tuple[list[Country], list[str]]:
    """(countries, unknown codes) from Country rows and/or ISO codes."""
    rows = [country for country in countries if isinstance(country, Country)]
    codes = {country.upper() for country in countries if isinstance(country, str)}
    found = list(Country.objects.filter(code__in=codes))
    unknown = sorted(codes - {country.code for country in found})
    return rows + found, unknown


def _send_problems(
    *,
    recipients: Iterable[User] | QuerySet[User] | None,
    audience: str,
    countries: list[Country | str],
    languages: list[str],
    title_i18n: dict,
    content_i18n: dict,
    sender: str,
) -> tuple[dict[str, list[str]], list[int], list[Country]]:
    """(errors by field, recipient ids, countries) for `message_send`'s arguments."""
    errors: dict[str, list[str]] = {}
    for field, texts, label in [("title_i18n", title_i18n, _("title")), ("content_i18n", content_i18n, _("content"))]:
        if messages := _texts_errors(texts, label=label):
            errors[field] = messages
    if not sender:
        errors["sender"] = [_("Say who the message is from.")]
    elif len(sender) > SENDER_MAX_LENGTH:
        errors["sender"] = [_("At most %(count)d characters.") % {"count": SENDER_MAX_LENGTH}]

    recipient_ids: list[int] = []
    if recipients is not None:
        recipient_ids = _recipient_ids(recipients)
        if not recipient_ids:
            errors["recipients"] = [_("Choose at least one recipient.")]
        if audience != Audience.ALL or countries or languages:
            errors["recipients"] = [_("A message goes either to chosen users or to a segment, not both.")]
    elif audience not in Audience.values:
        errors["audience"] = [_("Unknown audience %(value)s.") % {"value": audience}]

    country_rows, unknown_countries = _countries(countries)
    if unknown_countries:
        errors["countries"] = [_("Unknown countries: %(codes)s.") % {"codes": ", ".join(unknown_countries)}]
    unknown_languages = [language for language in languages if language not in Language.values]
    if unknown_languages:
        errors["languages"] = [_("Unknown languages: %(names)s.") % {"names": ", ".join(unknown_languages)}]
    return errors, recipient_ids, country_rows


def message_send_problems(
    *,
    recipients: Iterable[User] | QuerySet[User] | None = None,
    audience: str = Audience.ALL,
    countries: Iterable[Country | str] | None = None,
    languages: Iterable[str] | None = None,
    title_i18n: dict,
    content_i18n: dict,
    sender: str,
) -> dict[str, list[str]]:
    """Why `message_send` would refuse these arguments, by field (`{}`: it would not). Writes nothing;
    for forms that want to show the refusal next to the fields."""
    errors, _ids, _countries_found = _send_problems(
        recipients=recipients,
        audience=audience,
        countries=list(countries or []),
        languages=sorted(set(languages or [])),
        title_i18n=title_i18n,
        content_i18n=content_i18n,
        sender=(sender or "").strip(),
    )
    return errors


@transaction.atomic
def message_send(
    *,
    recipients: Iterable[User] | QuerySet[User] | None = None,
    audience: str = Audience.ALL,
    countries: Iterable[Country | str] | None = None,
    languages: Iterable[str] | None = None,
    title_i18n: dict,
    content_i18n: dict,
    sender: str,
    sent_by: User | None = None,
    publish_at: datetime | None = None,
) -> Message:
    """Send a message and return it.

    `recipients` (users, a list or a queryset): a direct message to them; the segment arguments must
    then be left out. `recipients=None`: a broadcast to the segment — `audience` (`client`, `ib`, `all`),
    limited to `countries` (Country rows or ISO codes) and/or `languages` (`zh-CN`, `en-US`) when given —
    which reaches the users who had joined when it is published, without a row per user.

    `publish_at` (default now) schedules it. `sent_by` is the staff member (None: the system). Writes
    an audit row. Refused (`invalid_message`, with the fields at fault) when anything is missing or
    unknown; nothing is written then. Joins the caller's transaction, so a caller may send as part of
    its own change (a KYC decision) and both stand or fall together.
    """
    countries = list(countries or [])
    languages = sorted(set(languages or []))
    sender = (sender or "").strip()
    errors, recipient_ids, country_rows = _send_problems(
        recipients=recipients,
        audience=audience,
        countries=countries,
        languages=languages,
        title_i18n=title_i18n,
        content_i18n=content_i18n,
        sender=sender,
    )
    if errors:
        raise InboxError(code="invalid_message", message=_("The message cannot be sent as it is."), fields=errors)

    message = Message.objects.create(
        kind=Message.Kind.DIRECT if recipients is not None else Message.Kind.BROADCAST,
        audience=audience,
        title_i18n=title_i18n,
        content_i18n=content_i18n,
        sender=sender,
        sent_by=sent_by,
        published_at=publish_at or timezone.now(),
    )
    if country_rows:
        message.countries.set(country_rows)
    MessageLanguage.objects.bulk_create([MessageLanguage(message=message, language=code) for code in languages])
    Delivery.objects.bulk_create(
        [Delivery(message=message, user_id=user_id) for user_id in recipient_ids], batch_size=1000
    )
    audit_record(
        actor=sent_by,
        action="message.sent",
        target=message,
        data={
            "kind": message.kind,
            "audience": message.audience,
            "countries": sorted(country.code for country in country_rows),
            "languages": languages,
            "recipients": len(recipient_ids),
            "published_at": message.published_at.isoformat(),
        },
    )
    return message


@transaction.atomic
def message_mark_read(*, user: User, message_id: int) -> None:
    """`user` has read the message. Idempotent: the first read time stays. Refused (`message_not_found`)
    when the message is not in their inbox (unknown, someone else's, not yet published, or hidden)."""
    message = message_of(user=user, message_id=message_id)
    now = timezone.now()
    # Insert-or-nothing, then set the time only where none is set: safe when two requests race.
    MessageState.objects.bulk_create([MessageState(user=user, message=message, read_at=now)], ignore_conflicts=True)
    MessageState.objects.filter(user=user, message=message, read_at__isnull=True).update(read_at=now)


@transaction.atomic
def message_hide(*, user: User, message_id: int) -> None:
    """Take the message out of `user`'s inbox (list and unread count). Idempotent: hiding a hidden message
    is fine. Refused (`message_not_found`) when it was never in their inbox."""
    message = message_of(user=user, message_id=message_id, include_hidden=True)
    now = timezone.now()
    MessageState.objects.bulk_create([MessageState(user=user, message=message, hidden_at=now)], ignore_conflicts=True)
    MessageState.objects.filter(user=user, message=message, hidden_at__isnull=True).update(hidden_at=now)
