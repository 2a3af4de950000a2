import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Services speak the active language; these tests read their messages in English. (API tests
    choose their language per request with X-Language.)"""
    with translation.override("en"):
        yield
