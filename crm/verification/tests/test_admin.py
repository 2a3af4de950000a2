import pytest
from django.urls import reverse

from crm.users.models import User
from crm.users.tests.factories import UserFactory
from crm.verification.tests.factories import EmailCodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True))
    return client


def test_lists_codes_without_the_code(staff_client):
    code = EmailCodeFactory(email="a@example.com", scene="withdrawal", code="987654")
    EmailCodeFactory(email="b@example.com", scene="register")
    url = reverse("admin:verification_emailcode_changelist")

    response = staff_client.get(url)

    assert response.status_code == 200
    assert "987654" not in response.content.decode()
    assert code.code_hash not in response.content.decode()
    assert [row.email for row in staff_client.get(url, {"q": "a@ex"}).context["cl"].result_list] == ["a@example.com"]
    assert [row.email for row in staff_client.get(url, {"scene__exact": "register"}).context["cl"].result_list] == [
        "b@example.com"
    ]


def test_codes_are_read_only(staff_client):
    code = EmailCodeFactory(code="987654")

    detail = staff_client.get(reverse("admin:verification_emailcode_change", args=[code.pk]))

    assert detail.status_code == 200
    assert "987654" not in detail.content.decode()
    assert code.code_hash not in detail.content.decode()
    assert staff_client.get(reverse("admin:verification_emailcode_add")).status_code == 403
    assert staff_client.post(reverse("admin:verification_emailcode_delete", args=[code.pk])).status_code == 403
