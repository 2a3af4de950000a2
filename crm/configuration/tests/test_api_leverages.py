import pytest

from crm.configuration.models import Leverage

URL = "/api/v1/public/settings/list-leverages"


@pytest.mark.django_db
def test_lists_enabled_leverages_in_pages(api):
    for value in (500, 100, 50, 200):
        Leverage.objects.create(value=value)
    Leverage.objects.create(value=1000, is_enabled=False)

    response = api.get(URL, {"page": 2, "size": 2})

    assert response.status_code == 200
    assert response.json() == {
        "total": 4,
        "list": [
            {"id": Leverage.objects.get(value=200).pk, "value": 200, "label": "1:200"},
            {"id": Leverage.objects.get(value=500).pk, "value": 500, "label": "1:500"},
        ],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"page": 0}, {"size": 101}, {"page": "x"}])
def test_refuses_bad_pages(api, query):
    response = api.get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert set(body["fields"]) == set(query)
