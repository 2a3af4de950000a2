import pytest
from django.urls import reverse

from crm.inbox.models import MessageState
from crm.inbox.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(client_user):
    return MessageFactory(
        recipients=[client_user],
        title_i18n={"zh-CN": "欢迎", "en-US": "Welcome"},
        content_i18n={"zh-CN": "您好", "en-US": "Hello there"},
    )


def test_list_shows_own_messages_with_unread_badge(portal, message):
    response = portal.get(reverse("portal:messages"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome" in html
    assert 'data-testid="unread-badge"' in html
    assert response.context["portal_unread_count"]() == 1


def test_opening_a_message_reads_it(portal, client_user, message):
    response = portal.get(reverse("portal:message", args=[message.pk]))

    assert response.status_code == 200
    assert "Hello there" in response.content.decode()
    assert MessageState.objects.get(user=client_user, message=message).read_at is not None
    assert 'data-testid="unread-badge"' not in portal.get(reverse("portal:messages")).content.decode()


def test_hide_takes_the_message_out_of_the_inbox(portal, client_user, message):
    response = portal.post(reverse("portal:message_hide", args=[message.pk]))

    assert response.status_code == 302
    assert MessageState.objects.get(user=client_user, message=message).hidden_at is not None
    assert "Welcome" not in portal.get(reverse("portal:messages")).content.decode()


def test_someone_elses_message_is_not_found(portal, other_client_user):
    theirs = MessageFactory(recipients=[other_client_user], title_i18n={"en-US": "Private to other"})

    assert "Private to other" not in portal.get(reverse("portal:messages")).content.decode()
    assert portal.get(reverse("portal:message", args=[theirs.pk])).status_code == 404
    assert portal.post(reverse("portal:message_hide", args=[theirs.pk])).status_code == 404
    assert not MessageState.objects.exists()


@pytest.mark.parametrize("name, args", [("portal:messages", []), ("portal:message", [1])])
def test_anonymous_users_go_to_login(anonymous, name, args):
    response = anonymous.get(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_have_no_portal(anonymous, db):
    from crm.users.tests.factories import UserFactory

    anonymous.force_login(UserFactory(role="staff"))

    assert anonymous.get(reverse("portal:messages")).status_code == 403
