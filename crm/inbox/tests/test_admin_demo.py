import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from crm.audit.models import AuditEntry
from crm.configuration.tests.factories import CountryFactory
from crm.content.models import Audience
from crm.inbox import selectors
from crm.inbox.demo import load_demo_data
from crm.inbox.models import Delivery, Message
from crm.inbox.tests.factories import MessageFactory, MessageStateFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

ADD = "/admin/inbox/message/add/"
LIST = "/admin/inbox/message/"


@pytest.fixture
def staff(db):
    return UserFactory(role=User.Role.STAFF, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    client.defaults["HTTP_X_LANGUAGE"] = "en-US"
    return client


def compose(**fields) -> dict:
    form = {
        "kind": "broadcast",
        "audience": "all",
        "title_i18n": json.dumps({"zh-CN": "系统升级", "en-US": "System upgrade"}),
        "content_i18n": json.dumps({"zh-CN": "周六凌晨升级。", "en-US": "Upgrade early on Saturday."}),
        "sender": "Operations",
        "published_at_0": "2026-03-01",
        "published_at_1": "10:00:00",
    }
    return {**form, **fields}


@pytest.mark.django_db
def test_the_compose_form_shows(staff_client):
    response = staff_client.get(ADD)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="recipients"' in page
    assert "admin-autocomplete" in page
    assert 'name="languages"' in page


@pytest.mark.django_db
def test_composing_a_broadcast_sends_it_and_audits(staff_client, staff):
    china = CountryFactory(code="CN")

    response = staff_client.post(ADD, compose(audience="ib", countries=[china.pk], languages=["zh-CN"]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    message = Message.objects.get()
    assert (message.kind, message.audience, message.sender, message.sent_by) == ("broadcast", "ib", "Operations", staff)
    assert message.title_i18n == {"zh-CN": "系统升级", "en-US": "System upgrade"}
    assert timezone.localtime(message.published_at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 10:00"
    assert list(message.countries.all()) == [china]
    assert list(message.segment_languages.values_list("language", flat=True)) == ["zh-CN"]
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "message.sent", str(message.pk))


@pytest.mark.django_db
def test_composing_a_direct_message_delivers_it(staff_client):
    alice, bob = UserFactory(), UserFactory(role=User.Role.IB)

    response = staff_client.post(ADD, compose(kind="direct", recipients=[alice.pk, bob.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    message = Message.objects.get()
    assert message.kind == "direct"
    assert sorted(Delivery.objects.values_list("user_id", flat=True)) == [alice.pk, bob.pk]
    assert AuditEntry.objects.get().data["recipients"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "direct"}, "recipients"),
        ({"kind": "direct", "languages": ["en-US"], "recipients": "someone"}, "kind"),
        ({"recipients": "someone"}, "recipients"),
        ({"title_i18n": json.dumps({"zh-CN": "", "en-US": " "})}, "title_i18n"),
        ({"content_i18n": json.dumps({"de-DE": "Hallo"})}, "content_i18n"),
        ({"sender": ""}, "sender"),
    ],
)
def test_the_compose_form_refuses_what_cannot_be_sent(staff_client, fields, field):
    someone = UserFactory()
    if fields.get("recipients") == "someone":
        fields["recipients"] = [someone.pk]

    response = staff_client.post(ADD, compose(**fields))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Message.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_be_direct_recipients(staff_client, staff):
    response = staff_client.post(ADD, compose(kind="direct", recipients=[staff.pk]))

    assert response.status_code == 200
    assert "recipients" in response.context["adminform"].form.errors
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_recipients_autocomplete_offers_portal_users(staff_client):
    UserFactory(email="alice@example.com"), UserFactory(email="alex@example.com", role=User.Role.IB)
    UserFactory(email="al.staff@example.com", role=User.Role.STAFF)

    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "inbox", "model_name": "message", "field_name": "recipients", "term": "al"},
    )

    assert response.status_code == 200
    assert sorted(row["text"] for row in response.json()["results"]) == ["alex@example.com", "alice@example.com"]


@pytest.mark.django_db
def test_the_list_shows_whom_and_read_counts_with_filters_and_search(staff_client):
    china = CountryFactory(code="CN")
    readers = [UserFactory(date_joined=timezone.now() - timedelta(days=1)) for _ in range(3)]
    broadcast = MessageFactory(
        audience=Audience.CLIENT,
        countries=[china],
        languages=["zh-CN"],
        title_i18n={"zh-CN": "春节休市", "en-US": "Holiday"},
    )
    direct = MessageFactory(recipients=readers[:2], title_i18n={"en-US": "Your KYC"})
    MessageFactory(published_at=timezone.now() + timedelta(days=1), title_i18n={"en-US": "Later"})
    for reader in readers:
        MessageStateFactory(user=reader, message=broadcast)
    MessageStateFactory(user=readers[0], message=direct, read_at=None, hidden_at=timezone.now())

    with CaptureQueriesContext(connection) as few:
        staff_client.get(LIST)
    for _ in range(10):
        MessageFactory(recipients=readers, countries=[china], languages=["en-US"])
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(LIST)
    scheduled = staff_client.get(LIST, {"published": "no"})
    search = staff_client.get(LIST, {"q": "春节"})
    by_email = staff_client.get(LIST, {"q": readers[1].email, "kind__exact": "direct"})

    assert response.status_code == 200
    assert len(many) == len(few)  # no query per row
    rows = {row.pk: row for row in response.context["cl"].result_list}
    admin = response.context["cl"].model_admin
    with translation.override("en"):
        assert admin.addressed_to(rows[broadcast.pk]) == "Clients · CN · zh-CN"
        assert admin.addressed_to(rows[direct.pk]) == "2 users"
    assert (admin.read_by(rows[broadcast.pk]), admin.read_by(rows[direct.pk])) == (3, 0)
    assert [str(row) for row in scheduled.context["cl"].result_list] == ["Later"]
    assert [row.pk for row in search.context["cl"].result_list] == [broadcast.pk]
    assert by_email.context["cl"].result_count == 11


@pytest.mark.django_db
def test_a_sent_message_is_shown_not_edited_or_deleted(staff_client):
    (reader,) = [UserFactory(date_joined=timezone.now() - timedelta(days=1))]
    message = MessageFactory(title_i18n={"en-US": "Sent"})
    MessageStateFactory(user=reader, message=message)

    page = staff_client.get(f"{LIST}{message.pk}/change/")
    edit = staff_client.post(f"{LIST}{message.pk}/change/", {"sender": "Someone else"})
    delete = staff_client.get(f"{LIST}{message.pk}/delete/")

    assert page.status_code == 200
    assert "Everyone" in page.content.decode()
    assert edit.status_code == 403
    assert delete.status_code == 403
    message.refresh_from_db()
    assert message.sender == "Customer service"


@pytest.mark.django_db
def test_demo_data_welcomes_clients_and_ibs_once():
    client_user = UserFactory(date_joined=timezone.now() - timedelta(days=2))
    ib = UserFactory(role=User.Role.IB, date_joined=timezone.now() - timedelta(days=1))

    load_demo_data()
    load_demo_data()

    assert sorted(Message.objects.values_list("audience", flat=True)) == [Audience.CLIENT, Audience.IB]
    for message in Message.objects.all():
        message.full_clean()
        assert message.title_i18n.keys() == message.content_i18n.keys() == {"zh-CN", "en-US"}
    assert [m.title_i18n["en-US"] for m in selectors.messages_for(user=client_user)] == ["Welcome aboard"]
    assert [m.title_i18n["en-US"] for m in selectors.messages_for(user=ib)] == ["Welcome, partner"]
