from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.audit.models import AuditEntry
from crm.configuration.tests.factories import CountryFactory
from crm.content.models import Audience
from crm.inbox import selectors
from crm.inbox.errors import InboxError
from crm.inbox.models import Delivery, Message, MessageLanguage, MessageState
from crm.inbox.services import message_hide, message_mark_read, message_send, message_send_problems
from crm.inbox.tests.factories import MessageFactory, MessageStateFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

TEXTS = {
    "title_i18n": {"zh-CN": "标题", "en-US": "Title"},
    "content_i18n": {"zh-CN": "内容", "en-US": "Content"},
    "sender": "Compliance",
}


def joined_users(count=1, **fields) -> list[User]:
    return [UserFactory(date_joined=timezone.now() - timedelta(days=1), **fields) for _ in range(count)]


def written() -> tuple[int, ...]:
    return (
        Message.objects.count(),
        Delivery.objects.count(),
        MessageLanguage.objects.count(),
        MessageState.objects.count(),
        AuditEntry.objects.count(),
    )


# --- message_send ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_direct_message_is_delivered_to_each_recipient_once_and_audited():
    staff = UserFactory(role=User.Role.STAFF)
    alice, bob = joined_users(2)

    message = message_send(recipients=[alice, bob, alice], sent_by=staff, **TEXTS)

    assert (message.kind, message.audience, message.sender, message.sent_by) == ("direct", "all", "Compliance", staff)
    assert sorted(Delivery.objects.values_list("user_id", flat=True)) == [alice.pk, bob.pk]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "message.sent", str(message.pk))
    assert entry.data == {
        "kind": "direct",
        "audience": "all",
        "countries": [],
        "languages": [],
        "recipients": 2,
        "published_at": message.published_at.isoformat(),
    }
    assert [m.pk for m in selectors.messages_for(user=alice)] == [message.pk]


@pytest.mark.django_db
def test_recipients_may_be_a_queryset():
    ibs = joined_users(3, role=User.Role.IB)
    joined_users(1)

    message = message_send(recipients=User.objects.filter(role=User.Role.IB), **TEXTS)

    assert set(message.recipients.all()) == set(ibs)


@pytest.mark.django_db
def test_a_broadcast_writes_no_row_per_user(django_assert_max_num_queries):
    joined_users(50)

    with django_assert_max_num_queries(6):
        message = message_send(audience=Audience.CLIENT, **TEXTS)

    assert message.kind == "broadcast"
    assert not Delivery.objects.exists()
    assert AuditEntry.objects.get().actor is None  # the system
    assert selectors.message_reached_users(message=message).count() == 50


@pytest.mark.django_db
def test_a_broadcast_to_a_segment_reaches_its_members_who_had_joined():
    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    member = UserFactory(country=china, language="en-US", date_joined=timezone.now() - timedelta(days=1))
    UserFactory(country=japan, language="en-US", date_joined=timezone.now() - timedelta(days=1))
    UserFactory(country=china, language="zh-CN", date_joined=timezone.now() - timedelta(days=1))
    UserFactory(country=china, language="en-US", role=User.Role.IB, date_joined=timezone.now() - timedelta(days=1))

    message = message_send(audience=Audience.CLIENT, countries=["cn"], languages=["en-US", "en-US"], **TEXTS)
    UserFactory(country=china, language="en-US", date_joined=timezone.now() + timedelta(seconds=1))  # joins later

    assert list(message.countries.all()) == [china]
    assert list(message.segment_languages.values_list("language", flat=True)) == ["en-US"]
    assert list(selectors.message_reached_users(message=message)) == [member]
    assert AuditEntry.objects.get().data["countries"] == ["CN"]


@pytest.mark.django_db
def test_countries_may_be_given_as_rows():
    china = CountryFactory(code="CN")

    message = message_send(countries=[china], **TEXTS)

    assert list(message.countries.all()) == [china]


@pytest.mark.django_db
def test_a_scheduled_message_appears_when_published():
    (user,) = joined_users()
    at = timezone.now() + timedelta(hours=1)

    message = message_send(recipients=[user], publish_at=at, **TEXTS)

    assert message.published_at == at
    assert list(selectors.messages_for(user=user)) == []
    assert list(selectors.messages_for(user=user, at=at)) == [message]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "fields"),
    [
        ({"title_i18n": {}}, {"title_i18n"}),
        ({"title_i18n": {"zh-CN": "  ", "en-US": ""}}, {"title_i18n"}),
        ({"content_i18n": {"fr-FR": "Bonjour"}}, {"content_i18n"}),
        ({"content_i18n": {"zh-CN": 1}}, {"content_i18n"}),
        ({"content_i18n": "text"}, {"content_i18n"}),
        ({"sender": " "}, {"sender"}),
        ({"sender": "x" * 65}, {"sender"}),
        ({"audience": "staff"}, {"audience"}),
        ({"countries": ["CN", "ZZ"]}, {"countries"}),
        ({"languages": ["fr-FR"]}, {"languages"}),
        ({"recipients": []}, {"recipients"}),
        ({"recipients": User.objects.none()}, {"recipients"}),
        ({"recipients": "the user", "audience": Audience.IB}, {"recipients"}),
        ({"recipients": "the user", "languages": ["zh-CN"]}, {"recipients"}),
    ],
)
def test_refuses_what_cannot_be_sent_and_writes_nothing(arguments, fields):
    CountryFactory(code="CN")
    (user,) = joined_users()
    if arguments.get("recipients") == "the user":
        arguments["recipients"] = [user]
    before = written()

    assert set(message_send_problems(**{**TEXTS, **arguments})) == fields
    with pytest.raises(InboxError) as refusal:
        message_send(**{**TEXTS, **arguments})

    assert (refusal.value.code, refusal.value.status) == ("invalid_message", 400)
    assert set(refusal.value.fields) == fields
    assert written() == before


@pytest.mark.django_db
def test_nothing_to_complain_about():
    assert message_send_problems(**TEXTS) == {}


@pytest.mark.django_db(transaction=True)
def test_a_message_sent_inside_a_callers_transaction_rolls_back_with_it():
    (user,) = joined_users()

    with pytest.raises(RuntimeError), transaction.atomic():
        message_send(recipients=[user], **TEXTS)
        raise RuntimeError("the caller's change failed")

    assert written() == (0, 0, 0, 0, 0)


# --- message_mark_read, message_hide ----------------------------------------------------------------------


@pytest.mark.django_db
def test_mark_read_then_hide_keep_both_times():
    (user,) = joined_users()
    message = MessageFactory()
    read_at = timezone.now()

    message_mark_read(user=user, message_id=message.pk)
    message_mark_read(user=user, message_id=message.pk)
    message_hide(user=user, message_id=message.pk)
    state = MessageState.objects.get()
    message_hide(user=user, message_id=message.pk)

    assert MessageState.objects.get().hidden_at == state.hidden_at
    assert (state.user, state.message) == (user, message)
    assert read_at <= state.read_at <= state.hidden_at


@pytest.mark.django_db
def test_a_state_row_must_say_something_and_is_one_per_user_and_message():
    state = MessageStateFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MessageStateFactory(user=state.user, message=state.message)
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageStateFactory(read_at=None, hidden_at=None)


@pytest.mark.django_db
def test_a_direct_message_carries_no_segment():
    with pytest.raises(IntegrityError):
        MessageFactory(kind=Message.Kind.DIRECT, audience=Audience.CLIENT)


@pytest.mark.django_db
def test_the_unread_count_is_one_query(django_assert_num_queries):
    (user,) = joined_users()
    for _ in range(5):
        MessageFactory()
    MessageStateFactory(user=user, message=MessageFactory())

    with django_assert_num_queries(1):
        assert selectors.message_unread_count(user=user) == 5


@pytest.mark.django_db
def test_staff_get_direct_messages_but_no_broadcasts():
    staff = UserFactory(role=User.Role.STAFF, date_joined=timezone.now() - timedelta(days=1))
    MessageFactory()
    direct = MessageFactory(recipients=[staff])

    assert list(selectors.messages_for(user=staff)) == [direct]


@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_leave_one_state_row():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    (user,) = joined_users()
    message = MessageFactory()

    def read(_index: int) -> None:
        try:
            message_mark_read(user=user, message_id=message.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(read, range(16)))

    state = MessageState.objects.get()
    assert (state.user, state.message, state.hidden_at) == (user, message, None)
    assert state.read_at is not None
