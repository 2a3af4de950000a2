"""Every integer the API reads is bounded, in the schema and in fact (issue 7: 500s on overflow)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from crm.api.fields import INT64_MAX
from crm.api.pagination import MAX_PAGE

LEVERAGES = "/api/v1/public/settings/list-leverages"


def resolved(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rpartition("/")[2]]
    return schema


def unbounded_numbers(schema: dict, components: dict, where: str, seen: frozenset = frozenset()) -> list[str]:
    """Paths (`where`) of integer or number schemas without both `minimum` and `maximum`, recursively."""
    ref = schema.get("$ref")
    if ref in seen:
        return []
    schema = resolved(schema, components)
    seen = seen | {ref} if ref else seen
    found = []
    if schema.get("type") in ("integer", "number") and not {"minimum", "maximum"} <= schema.keys():
        found.append(where)
    for name, child in schema.get("properties", {}).items():
        found += unbounded_numbers(child, components, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += unbounded_numbers(schema[key], components, f"{where}[]", seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for index, child in enumerate(schema.get(key, [])):
            found += unbounded_numbers(child, components, f"{where}.{key}{index}", seen)
    return found


def test_no_operation_reads_an_unbounded_number():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    unbounded = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                unbounded += unbounded_numbers(parameter["schema"], components, f"{where} {parameter['name']}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += unbounded_numbers(media["schema"], components, f"{where} body")

    assert len(schema["paths"]) > 80
    assert unbounded == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("99999999999999999999", f"Ensure this value is less than or equal to {MAX_PAGE}."),
        (str(MAX_PAGE + 1), f"Ensure this value is less than or equal to {MAX_PAGE}."),
        ("-99999999999999999999", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_page_past_the_64_bit_range_is_400_naming_the_field(api, page, message):
    response = api.get(LEVERAGES, {"page": page, "size": 100}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Some fields are missing or invalid.",
        "fields": {"page": [message]},
    }


@pytest.mark.django_db
def test_the_last_page_is_asked_of_the_database_without_overflow(api):
    response = api.get(LEVERAGES, {"page": MAX_PAGE, "size": 100})

    assert response.status_code == 200
    assert response.json()["list"] == []
    assert (MAX_PAGE - 1) * 100 <= MAX_PAGE * 100 <= INT64_MAX


@pytest.mark.django_db
def test_an_id_past_the_64_bit_range_is_400_naming_the_field(user_api):
    response = user_api.get("/api/v1/client/message/get-message", {"id": str(INT64_MAX + 1)}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == ["id"]
