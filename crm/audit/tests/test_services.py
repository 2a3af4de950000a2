import pytest

from crm.audit.models import AuditEntry
from crm.audit.services import audit_record
from crm.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_secrets_in_the_data_are_masked_and_the_rest_kept():
    user = UserFactory()

    audit_record(
        actor=None,
        action="user.test",
        target=user,
        data={
            "password": "Clear-pass-1",
            "settings": {"api_key": "key-2", "port": 443},
            "token_lifetime_hours": 24,
            "otp_required": True,
            "kind": "main",
            "new_token": "",
        },
    )

    assert AuditEntry.objects.get().data == {
        "password": "********",
        "settings": {"api_key": "********", "port": 443},
        "token_lifetime_hours": 24,
        "otp_required": True,
        "kind": "main",
        "new_token": "",
    }
