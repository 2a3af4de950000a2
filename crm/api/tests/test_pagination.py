"""`page_rows`: the page, and the total without a COUNT when the page tells it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.api.pagination import page_rows
from crm.configuration.models import Country
from crm.configuration.tests.factories import CountryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def countries():
    Country.objects.all().delete()
    for code in ("AA", "BB", "CC", "DD", "EE"):
        CountryFactory(code=code)
    return Country.objects.order_by("code")


@pytest.mark.parametrize(
    ("page", "size", "codes", "total", "queries"),
    [
        (1, 10, ["AA", "BB", "CC", "DD", "EE"], 5, 1),  # not full: the rows tell the total
        (1, 5, ["AA", "BB", "CC", "DD", "EE"], 5, 1),  # exactly full, no next row: no COUNT either
        (2, 3, ["DD", "EE"], 5, 1),
        (1, 2, ["AA", "BB"], 5, 2),  # a next page exists: COUNT
        (2, 2, ["CC", "DD"], 5, 2),
        (4, 2, [], 5, 2),  # past the end: the rows tell nothing
    ],
)
def test_a_page_and_its_total(countries, page, size, codes, total, queries):
    with CaptureQueriesContext(connection) as captured:
        rows, counted = page_rows(countries, page=page, size=size)

    assert ([row.code for row in rows], counted) == (codes, total)
    assert len(captured) == queries


def test_an_empty_first_page_has_a_total_of_zero(countries):
    with CaptureQueriesContext(connection) as captured:
        assert page_rows(countries.none(), page=1, size=20) == ([], 0)
    assert len(captured) == 0
