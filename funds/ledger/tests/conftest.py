import pytest

from crm.users.tests.factories import UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", is_superuser=True, language="en-US")
