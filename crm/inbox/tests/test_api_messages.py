"""client.message.* and ib.message.*: the same inbox behind both portals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.content.models import Audience
from crm.inbox.models import MessageState
from crm.inbox.tests.factories import MessageFactory, MessageStateFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI)
JOINED = NOW - timedelta(days=30)
# Each portal, with the role of the user who uses it in these tests.
PORTALS = [("client", User.Role.CLIENT), ("ib", User.Role.IB)]


def url(portal: str, operation: str) -> str:
    return f"/api/v1/{portal}/message/{operation}"


@pytest.fixture(autouse=True)
def _company_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(NOW, tick=False):
        yield


def portal_user(role=User.Role.CLIENT, **fields) -> User:
    return UserFactory(role=role, date_joined=JOINED, **fields)


def states() -> list[tuple]:
    return sorted(MessageState.objects.values_list("user_id", "message_id", "read_at", "hidden_at"))


def listed_ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["list"]]


def unread_count(api, portal: str) -> int:
    response = api.get(url(portal, "get-unread-count"))
    assert response.status_code == 200, response.json()
    return response.json()["count"]


# --- list_messages ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-CN", ["账户已开通", "您的真实账户 80001 已开通。", "系统维护", "周六 02:00 至 04:00 系统维护。"]),
        ("en-US", ["Account opened", "Your live account 80001 is open.", "Maintenance", "Saturday 02:00–04:00."]),
    ],
)
def test_lists_the_inbox_newest_first_in_the_requested_language(api, portal, role, language, texts):
    user = portal_user(role)
    broadcast = MessageFactory(
        title_i18n={"zh-CN": "系统维护", "en-US": "Maintenance"},
        content_i18n={"zh-CN": "周六 02:00 至 04:00 系统维护。", "en-US": "Saturday 02:00–04:00."},
        sender="System",
        published_at=datetime(2026, 2, 27, 9, 30, tzinfo=SHANGHAI),
    )
    direct = MessageFactory(
        recipients=[user],
        title_i18n={"zh-CN": "账户已开通", "en-US": "Account opened"},
        content_i18n={"zh-CN": "您的真实账户 80001 已开通。", "en-US": "Your live account 80001 is open."},
        sender="Customer service",
        published_at=datetime(2026, 2, 28, 16, 0, tzinfo=ZoneInfo("UTC")),
    )
    MessageStateFactory(user=user, message=broadcast, read_at=NOW - timedelta(hours=2))

    response = api.login_as(user).get(url(portal, "list-messages"), HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "id": direct.pk,
                "title": texts[0],
                "content_preview": texts[1],
                "sender": "Customer service",
                "is_read": False,
                "created_at": "2026-03-01 00:00:00",
            },
            {
                "id": broadcast.pk,
                "title": texts[2],
                "content_preview": texts[3],
                "sender": "System",
                "is_read": True,
                "created_at": "2026-02-27 09:30:00",
            },
        ],
        "total": 2,
    }


@pytest.mark.django_db
def test_the_preview_is_one_line_of_at_most_100_characters_and_missing_texts_fall_back(api):
    user = portal_user()
    MessageFactory(title_i18n={"zh-CN": "只有中文"}, content_i18n={"zh-CN": "第一行\n\n第二行  " + "长" * 200})

    row = api.login_as(user).get(url("client", "list-messages"), HTTP_X_LANGUAGE="en-US").json()["list"][0]

    assert row["title"] == "只有中文"
    assert row["content_preview"] == "第一行 第二行 " + "长" * 91 + "…"
    assert len(row["content_preview"]) == 100


@pytest.mark.django_db
def test_the_users_language_applies_without_a_header(api):
    user = portal_user(language="en-US")
    MessageFactory(title_i18n={"zh-CN": "欢迎", "en-US": "Welcome"})

    assert api.login_as(user).get(url("client", "list-messages")).json()["list"][0]["title"] == "Welcome"


@pytest.mark.django_db
def test_pages(api):
    user = portal_user()
    messages = [MessageFactory(published_at=NOW - timedelta(minutes=minutes)) for minutes in range(1, 6)]
    api.login_as(user)

    first = api.get(url("client", "list-messages"), {"page": 1, "size": 2}).json()
    last = api.get(url("client", "list-messages"), {"page": 3, "size": 2}).json()
    beyond = api.get(url("client", "list-messages"), {"page": 4, "size": 2}).json()

    assert ([row["id"] for row in first["list"]], first["total"]) == ([messages[0].pk, messages[1].pk], 5)
    assert ([row["id"] for row in last["list"]], last["total"]) == ([messages[4].pk], 5)
    assert beyond == {"list": [], "total": 5}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "fields"),
    [({"page": 0}, {"page"}), ({"size": 101}, {"size"}), ({"page": "x", "size": "y"}, {"page", "size"})],
)
def test_list_refuses_bad_pages(api, query, fields):
    response = api.login_as(portal_user()).get(url("client", "list-messages"), query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) == fields


@pytest.mark.django_db
def test_a_user_sees_only_messages_addressed_to_them(api):
    user, someone_else = portal_user(), portal_user()
    mine = MessageFactory(recipients=[user, someone_else])
    MessageFactory(recipients=[someone_else])
    for_clients = MessageFactory(audience=Audience.CLIENT)
    MessageFactory(audience=Audience.IB)
    MessageFactory(published_at=NOW + timedelta(minutes=1))  # scheduled
    MessageFactory(recipients=[user], published_at=NOW + timedelta(minutes=1))  # scheduled, direct

    assert listed_ids(api.login_as(user).get(url("client", "list-messages"))) == [for_clients.pk, mine.pk]


@pytest.mark.django_db
def test_an_ib_gets_ib_and_everyone_broadcasts_in_both_portals(api):
    ib = portal_user(User.Role.IB)
    for_everyone = MessageFactory(audience=Audience.ALL, published_at=NOW - timedelta(hours=3))
    for_ibs = MessageFactory(audience=Audience.IB, published_at=NOW - timedelta(hours=2))
    MessageFactory(audience=Audience.CLIENT, published_at=NOW - timedelta(hours=1))
    api.login_as(ib)

    assert listed_ids(api.get(url("ib", "list-messages"))) == [for_ibs.pk, for_everyone.pk]
    assert listed_ids(api.get(url("client", "list-messages"))) == [for_ibs.pk, for_everyone.pk]


@pytest.mark.django_db
def test_broadcasts_reach_users_who_had_joined_when_they_were_published(api):
    user = UserFactory(date_joined=NOW - timedelta(days=1))
    MessageFactory(published_at=NOW - timedelta(days=2))  # before they joined
    at_join = MessageFactory(published_at=NOW - timedelta(days=1))
    after = MessageFactory(published_at=NOW - timedelta(hours=1))
    direct_before = MessageFactory(recipients=[user], published_at=NOW - timedelta(days=3))

    assert listed_ids(api.login_as(user).get(url("client", "list-messages"))) == [
        after.pk,
        at_join.pk,
        direct_before.pk,
    ]


@pytest.mark.django_db
def test_segments_limited_to_countries_and_languages(api):
    from crm.configuration.tests.factories import CountryFactory

    china, japan = CountryFactory(code="CN"), CountryFactory(code="JP")
    user = portal_user(country=china, language="en-US")
    everywhere = MessageFactory(published_at=NOW - timedelta(hours=6))
    in_china = MessageFactory(countries=[china, japan], published_at=NOW - timedelta(hours=5))
    MessageFactory(countries=[japan], published_at=NOW - timedelta(hours=4))
    in_english = MessageFactory(languages=["en-US"], published_at=NOW - timedelta(hours=3))
    MessageFactory(languages=["zh-CN"], published_at=NOW - timedelta(hours=2))
    both = MessageFactory(countries=[china], languages=["en-US", "zh-CN"], published_at=NOW - timedelta(hours=1))
    MessageFactory(countries=[china], languages=["zh-CN"], published_at=NOW - timedelta(minutes=30))

    assert listed_ids(api.login_as(user).get(url("client", "list-messages"))) == [
        both.pk,
        in_english.pk,
        in_china.pk,
        everywhere.pk,
    ]
    # Without a country, only messages for every country.
    assert listed_ids(api.login_as(portal_user(language="en-US")).get(url("client", "list-messages"))) == [
        in_english.pk,
        everywhere.pk,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
def test_listing_takes_a_bounded_number_of_queries(api, portal, role, django_assert_max_num_queries):
    from crm.configuration.tests.factories import CountryFactory

    user = portal_user(role, country=CountryFactory())
    for index in range(30):
        message = MessageFactory(recipients=[user]) if index % 2 else MessageFactory(languages=["zh-CN"])
        if index % 3 == 0:
            MessageStateFactory(user=user, message=message)
    api.login_as(user)
    api.get(url(portal, "get-unread-count"))  # the company time zone is cached from now on

    # The token, the page's count, the page's rows.
    with django_assert_max_num_queries(3):
        response = api.get(url(portal, "list-messages"), {"size": 100})
    with django_assert_max_num_queries(2):
        count = api.get(url(portal, "get-unread-count")).json()["count"]

    assert response.json()["total"] == 30
    assert count == 20


# --- get_message ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
@pytest.mark.parametrize(
    ("language", "title", "content"),
    [("zh-CN", "入金成功", "您的 1,000.00 USD 入金已到账。"), ("en-US", "Deposit received", "1,000.00 USD arrived.")],
)
def test_gets_a_message_without_marking_it_read(api, portal, role, language, title, content):
    user = portal_user(role)
    message = MessageFactory(
        recipients=[user],
        title_i18n={"zh-CN": "入金成功", "en-US": "Deposit received"},
        content_i18n={"zh-CN": "您的 1,000.00 USD 入金已到账。", "en-US": "1,000.00 USD arrived."},
        sender="Finance",
        published_at=datetime(2026, 3, 1, 10, 15, 30, tzinfo=SHANGHAI),
    )

    response = api.login_as(user).get(url(portal, "get-message"), {"id": message.pk}, HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "id": message.pk,
        "title": title,
        "content": content,
        "sender": "Finance",
        "is_read": False,
        "read_at": None,
        "created_at": "2026-03-01 10:15:30",
    }
    assert states() == []


@pytest.mark.django_db
def test_a_read_message_says_when(api):
    user = portal_user()
    message = MessageFactory()
    MessageStateFactory(user=user, message=message, read_at=datetime(2026, 3, 1, 11, 0, tzinfo=SHANGHAI))

    body = api.login_as(user).get(url("client", "get-message"), {"id": message.pk}).json()

    assert (body["is_read"], body["read_at"]) == (True, "2026-03-01 11:00:00")


# --- not found: unknown, someone else's, scheduled, other audience, before joining, hidden ----------------


@pytest.fixture
def unreachable(db):
    """(the user, {why: a message they must not reach})."""
    user, client_b = portal_user(), portal_user()
    hidden = MessageFactory(recipients=[user])
    MessageStateFactory(user=user, message=hidden, read_at=None, hidden_at=NOW - timedelta(minutes=1))
    return user, {
        "unknown": 999_999,
        "client B's direct message": MessageFactory(recipients=[client_b]).pk,
        "scheduled": MessageFactory(recipients=[user], published_at=NOW + timedelta(seconds=1)).pk,
        "for IBs": MessageFactory(audience=Audience.IB).pk,
        "before joining": MessageFactory(published_at=JOINED - timedelta(seconds=1)).pk,
        "hidden": hidden.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["unknown", "client B's direct message", "scheduled", "for IBs", "before joining"])
@pytest.mark.parametrize("operation", ["get-message", "mark-read", "hide-message"])
def test_messages_not_addressed_to_the_user_are_not_found(api, unreachable, why, operation):
    user, ids = unreachable
    before = states()
    api.login_as(user)

    if operation == "get-message":
        response = api.get(url("client", operation), {"id": ids[why]}, HTTP_X_LANGUAGE="en-US")
    else:
        response = api.post(url("client", operation), {"id": ids[why]}, format="json", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response.json() == {"code": "message_not_found", "message": "No such message.", "fields": {}}
    assert states() == before


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["get-message", "mark-read"])
def test_a_hidden_message_is_not_found(api, unreachable, operation):
    user, ids = unreachable
    before = states()
    api.login_as(user)

    if operation == "get-message":
        response = api.get(url("client", operation), {"id": ids["hidden"]})
    else:
        response = api.post(url("client", operation), {"id": ids["hidden"]}, format="json")

    assert (response.status_code, response.json()["code"]) == (404, "message_not_found")
    assert states() == before


# --- mark_read, hide_message, get_unread_count --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
def test_mark_read_is_idempotent_and_keeps_the_first_read_time(api, portal, role):
    user = portal_user(role)
    message = MessageFactory(recipients=[user], published_at=NOW - timedelta(hours=1))
    MessageFactory(published_at=NOW - timedelta(hours=2))
    api.login_as(user)
    assert unread_count(api, portal) == 2

    response = api.post(url(portal, "mark-read"), {"id": message.pk}, format="json")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        again = api.post(url(portal, "mark-read"), {"id": message.pk}, format="json")

    assert (response.status_code, response.json()) == (200, {})
    assert (again.status_code, again.json()) == (200, {})
    assert states() == [(user.pk, message.pk, NOW, None)]
    assert unread_count(api, portal) == 1
    assert [row["is_read"] for row in api.get(url(portal, "list-messages")).json()["list"]] == [True, False]


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
def test_a_hidden_message_leaves_the_list_and_the_unread_count_for_that_user_only(api, portal, role):
    user, other_user = portal_user(role), portal_user(role)
    kept = MessageFactory(published_at=NOW - timedelta(hours=2))
    hidden = MessageFactory(published_at=NOW - timedelta(hours=1))
    api.login_as(user)

    response = api.post(url(portal, "hide-message"), {"id": hidden.pk}, format="json")
    again = api.post(url(portal, "hide-message"), {"id": hidden.pk}, format="json")

    assert (response.status_code, response.json()) == (200, {})
    assert (again.status_code, again.json()) == (200, {})
    assert states() == [(user.pk, hidden.pk, None, NOW)]
    assert listed_ids(api.get(url(portal, "list-messages"))) == [kept.pk]
    assert unread_count(api, portal) == 1
    assert listed_ids(api.login_as(other_user).get(url(portal, "list-messages"))) == [hidden.pk, kept.pk]


@pytest.mark.django_db
def test_hiding_a_read_message_keeps_its_read_time(api):
    user = portal_user()
    message = MessageFactory()
    MessageStateFactory(user=user, message=message, read_at=NOW - timedelta(hours=1))

    api.login_as(user).post(url("client", "hide-message"), {"id": message.pk}, format="json")

    assert states() == [(user.pk, message.pk, NOW - timedelta(hours=1), NOW)]


@pytest.mark.django_db
@pytest.mark.parametrize(("portal", "role"), PORTALS)
def test_unread_count(api, portal, role):
    user = portal_user(role)
    read, hidden = MessageFactory(), MessageFactory(recipients=[user])
    MessageFactory(), MessageFactory(recipients=[user]), MessageFactory(recipients=[portal_user(role)])
    MessageStateFactory(user=user, message=read)
    MessageStateFactory(user=user, message=hidden, read_at=None, hidden_at=NOW)
    MessageStateFactory(message=MessageFactory())  # someone else read it

    response = api.login_as(user).get(url(portal, "get-unread-count"))

    assert (response.status_code, response.json()) == (200, {"count": 3})


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["mark-read", "hide-message"])
@pytest.mark.parametrize("body", [{}, {"id": None}, {"id": "abc"}, {"id": 0}, {"id": -1}, {"id": 2**63}, {"id": [1]}])
def test_posts_refuse_a_missing_or_malformed_id(api, operation, body):
    user = portal_user()
    MessageFactory()

    response = api.login_as(user).post(url("client", operation), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == ["id"]
    assert states() == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"id": ""}, {"id": "abc"}, {"id": "0"}, {"id": "1.5"}])
def test_get_message_refuses_a_missing_or_malformed_id(api, query):
    response = api.login_as(portal_user()).get(url("client", "get-message"), query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["id"]


@pytest.mark.django_db
def test_posts_take_json_only(api):
    user = portal_user()
    message = MessageFactory()

    response = api.login_as(user).post(url("client", "mark-read"), {"id": message.pk})  # multipart

    assert response.status_code == 415
    assert states() == []


# --- who may use which portal -------------------------------------------------------------------------------

OPERATIONS = [
    ("get", "list-messages", {}),
    ("get", "get-message", {"id": 1}),
    ("post", "hide-message", {"id": 1}),
    ("post", "mark-read", {"id": 1}),
    ("get", "get-unread-count", {}),
]


def call(api, portal, method, operation, data):
    if method == "get":
        return api.get(url(portal, operation), data, HTTP_X_LANGUAGE="en-US")
    return api.post(url(portal, operation), data, format="json", HTTP_X_LANGUAGE="en-US")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "operation", "data"), OPERATIONS)
def test_the_ib_portal_is_for_ibs_only(api, method, operation, data):
    client_user = portal_user()
    MessageFactory(recipients=[client_user])

    response = call(api.login_as(client_user), "ib", method, operation, data)

    assert response.status_code == 403
    assert response.json() == {
        "code": "not_an_ib",
        "message": "Only introducing brokers have the IB portal.",
        "fields": {},
    }
    assert states() == []


@pytest.mark.django_db
@pytest.mark.parametrize("portal", ["client", "ib"])
@pytest.mark.parametrize(("method", "operation", "data"), OPERATIONS)
def test_staff_have_no_portal_inbox(api, portal, method, operation, data):
    response = call(api.login_as(UserFactory(role=User.Role.STAFF)), portal, method, operation, data)

    assert (response.status_code, response.json()["code"]) == (403, "not_a_portal_user")


@pytest.mark.django_db
@pytest.mark.parametrize("portal", ["client", "ib"])
@pytest.mark.parametrize(("method", "operation", "data"), OPERATIONS)
def test_a_login_is_needed(api, portal, method, operation, data):
    response = call(api, portal, method, operation, data)

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
