from datetime import timedelta

import factory
from django.utils import timezone

from crm.configuration.models import VerificationScene
from crm.users.hashing import digest
from crm.verification.models import EmailCode

DEFAULT_CODE = "123456"


class EmailCodeFactory(factory.django.DjangoModelFactory):
    """A live code; pass `code="…"` to choose the 6 digits the user would type."""

    class Meta:
        model = EmailCode
        exclude = ["code"]

    code = DEFAULT_CODE
    email = factory.Sequence(lambda n: f"someone{n}@example.com")
    scene = VerificationScene.WITHDRAWAL
    code_hash = factory.LazyAttribute(lambda row: digest(row.code))
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda row: row.created_at + timedelta(minutes=10))
