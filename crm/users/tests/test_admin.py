"""The users back office: lists, the add form, enable/disable, passwords, tokens."""

import pytest
from django.urls import reverse

from crm.audit.models import AuditEntry
from crm.users.hashing import digest
from crm.users.models import ApiToken, User
from crm.users.tests.factories import DEFAULT_PASSWORD, UserFactory
from crm.users.tokens import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", role=User.Role.STAFF, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return client


def test_lists_searches_and_filters_users(staff_client):
    UserFactory(email="alice@example.com", role="client")
    UserFactory(email="bob@example.com", role="ib", status="disabled")
    url = reverse("admin:users_user_changelist")

    assert staff_client.get(url).status_code == 200
    assert [user.email for user in staff_client.get(url, {"q": "alice"}).context["cl"].result_list] == [
        "alice@example.com"
    ]
    assert [user.email for user in staff_client.get(url, {"role__exact": "ib"}).context["cl"].result_list] == [
        "bob@example.com"
    ]
    assert [user.email for user in staff_client.get(url, {"status__exact": "disabled"}).context["cl"].result_list] == [
        "bob@example.com"
    ]


def test_change_page_shows_no_password_and_no_editable_status(staff_client):
    user = UserFactory()

    response = staff_client.get(reverse("admin:users_user_change", args=[user.pk]))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert form.fields["password"].disabled
    assert DEFAULT_PASSWORD not in response.content.decode()


def test_adds_a_user_with_a_hashed_password(staff_client):
    response = staff_client.post(
        reverse("admin:users_user_add"),
        {
            "email": "New.Person@Example.com",
            "name": "New Person",
            "role": "client",
            "password1": "Strong-Pass-1234",
            "password2": "Strong-Pass-1234",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("Strong-Pass-1234")
    assert user.password != "Strong-Pass-1234"
    assert (user.name, user.role, user.status, user.password_strength) == ("New Person", "client", "enabled", "strong")


@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [("Strong-Pass-1234", "Strong-Pass-9999", "password2"), ("weak", "weak", "password1")],
)
def test_add_refuses_bad_passwords(staff_client, password1, password2, field):
    response = staff_client.post(
        reverse("admin:users_user_add"),
        {"email": "new@example.com", "role": "client", "password1": password1, "password2": password2},
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_disable_action_disables_and_logs_out(staff_client, staff):
    user = UserFactory()
    raw = token_issue(user=user)

    response = staff_client.post(
        reverse("admin:users_user_changelist"), {"action": "disable_users", "_selected_action": [user.pk]}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.status == "disabled"
    assert ApiToken.objects.get(key_hash=digest(raw)).revoked_at is not None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == ("user.disabled", staff, str(user.pk))


def test_enable_action_enables(staff_client, staff):
    user = UserFactory(status="disabled")

    staff_client.post(reverse("admin:users_user_changelist"), {"action": "enable_users", "_selected_action": [user.pk]})

    user.refresh_from_db()
    assert user.status == "enabled"
    assert list(AuditEntry.objects.values_list("action", "actor")) == [("user.enabled", staff.pk)]


def test_staff_set_passwords_under_the_company_rules(staff_client, staff):
    user = UserFactory()
    raw = token_issue(user=user)
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    weak = staff_client.post(url, {"password1": "weak", "password2": "weak"})
    assert weak.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not AuditEntry.objects.exists()

    response = staff_client.post(url, {"password1": "Other-Strong-55", "password2": "Other-Strong-55"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Other-Strong-55")
    assert user.password_strength == "strong"
    assert ApiToken.objects.get(key_hash=digest(raw)).revoked_at is not None
    assert list(AuditEntry.objects.values_list("action", "actor")) == [("user.password_set", staff.pk)]


def test_tokens_are_listed_without_secrets_and_can_be_revoked(staff_client):
    user = UserFactory(email="holder@example.com")
    raw = token_issue(user=user)
    token = ApiToken.objects.get(key_hash=digest(raw))
    url = reverse("admin:users_apitoken_changelist")

    listing = staff_client.get(url, {"q": "holder"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [token]
    assert token.key_hash not in listing.content.decode()
    detail = staff_client.get(reverse("admin:users_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert token.key_hash not in detail.content.decode()

    staff_client.post(url, {"action": "revoke_tokens", "_selected_action": [token.pk]})

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert staff_client.get(reverse("admin:users_apitoken_add")).status_code == 403
