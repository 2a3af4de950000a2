"""drf-spectacular glue: operationId from the view, shared parameter and response shapes."""

from __future__ import annotations

import inspect
import re
from functools import cache

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

# Times and dates as the API reads and writes them (settings.REST_FRAMEWORK's formats); not
# OpenAPI's `date-time`/`date`, which are RFC 3339 with a `T` and a zone.
DATETIME_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$",
    "example": "2026-01-31 18:30:00",
    "description": "YYYY-MM-DD HH:MM:SS in the company time zone.",
}
DATE_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
    "example": "2026-01-31",
    "description": "YYYY-MM-DD.",
}

# `query = self.query(SomeSerializer, request)` in a view's handler: the serializer its query is read with.
QUERY_CALL = re.compile(r"self\.query\(\s*([\w.]+)\s*,")

GENERIC_SERIALIZER_NAMES = {"InputSerializer", "OutputSerializer", "QuerySerializer", "ItemSerializer"}


class ErrorSerializer(serializers.Serializer):
    """The error envelope (`crm.api.errors`)."""

    code = serializers.CharField(help_text="Stable snake_case code, e.g. `invalid_input`, `not_found`.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems per field (`parent.child` for nested ones); `{}` when none.",
    )
    error_id = serializers.CharField(
        required=False, help_text="500 only: the id of the server's log entry; quote it to support."
    )


def error_statuses(*, method: str, reads_input: bool, needs_login: bool) -> dict[str, str]:
    """The error statuses an operation can answer, each with the envelope."""
    statuses = {
        "400": "Invalid input (`invalid_input`, naming the fields) or a refusal of the request.",
        "401": "Not logged in, or the bearer token is unknown or expired.",
        "403": "Not allowed for this user.",
        "404": "Not found, or not yours.",
        "409": "The object is in the wrong state for this request.",
        "429": "Too many requests; `Retry-After` says when to try again.",
        "500": "A fault on our side (`server_error`, with `error_id`).",
        "503": "The database is busy (`database_busy`, on the SQLite default); retry after `Retry-After`.",
    }
    if not reads_input:
        del statuses["400"]
    if not needs_login:
        del statuses["403"]
    if method == "GET":
        del statuses["409"]
    return statuses


class OperationSchema(AutoSchema):
    def get_operation_id(self) -> str:
        return getattr(self.view, "operation_id", None) or super().get_operation_id()

    def get_serializer_name(self, serializer, direction) -> str:
        # Every view nests an `InputSerializer`/`OutputSerializer`; prefix the view's name
        # (`LoginApi.OutputSerializer` → `LoginOutput`) so their schema components stay apart.
        name = type(serializer).__name__
        if name in GENERIC_SERIALIZER_NAMES:
            outer = type(serializer).__qualname__.rpartition(".")[0].removesuffix("Api")
            return outer + name.removesuffix("Serializer")
        return super().get_serializer_name(serializer, direction)

    def get_tags(self) -> list[str]:
        operation_id = getattr(self.view, "operation_id", None)
        return [".".join(operation_id.split(".")[:2])] if operation_id else super().get_tags()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response" or not getattr(self.view, "operation_id", None):
            return responses
        reads_input = self.method != "GET" or any(p["in"] == "query" for p in self._get_parameters())
        needs_login = any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        statuses = error_statuses(method=self.method, reads_input=reads_input, needs_login=needs_login)
        for status in {*statuses, *(status for status in responses if status[0] in "45")}:
            error = OpenApiResponse(ErrorSerializer, description=statuses.get(status, ""))
            documented = self._get_response_for_code(error, status, direction=direction)
            if status not in responses:
                responses[status] = documented
            elif "content" not in responses[status]:
                # Declared with a description only: the body is the envelope all the same.
                responses[status]["content"] = documented["content"]
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.DateTimeField):
            return self._with_field_meta(field, direction, DATETIME_SCHEMA)
        if isinstance(field, serializers.DateField):
            return self._with_field_meta(field, direction, DATE_SCHEMA)
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListField) and not field.allow_empty and schema.get("type") == "array":
            schema["minItems"] = max(schema.get("minItems", 0), 1)  # DRF refuses `[]`: "This list may not be empty."
        return schema

    def _with_field_meta(self, field, direction, schema: dict) -> dict:
        meta = self._get_serializer_field_meta(field, direction)
        return {**schema, **meta, "description": meta.get("description") or schema["description"]}

    def _get_parameters(self) -> list[dict]:
        """The declared query parameters, typed as the serializer the view validates them with says
        (bounds, enums, patterns, blank strings), so the schema cannot promise what the view refuses.
        The declared `required` flag and description stay: they follow the wlink spec."""
        parameters = super()._get_parameters()
        serializer_class = self._query_serializer_class()
        if serializer_class is None:
            return parameters
        fields = serializer_class().fields
        for parameter in parameters:
            field = fields.get(parameter["name"]) if parameter["in"] == "query" else None
            if field is None or field.read_only:
                continue
            schema = self._map_serializer_field(field, "request")
            schema.pop("description", None)
            schema.pop("readOnly", None)
            if field.default is not serializers.empty and not callable(field.default):
                schema["default"] = field.default
            parameter["schema"] = schema
            # DRF reads `?name=` in a query string as absent when the field is optional (and as
            # null or "" when it allows those); a required field refuses it.
            accepts_empty = not field.required or field.allow_null or getattr(field, "allow_blank", False)
            if accepts_empty:
                parameter["allowEmptyValue"] = True
            else:
                parameter.pop("allowEmptyValue", None)
        return parameters

    def _query_serializer_class(self) -> type[serializers.Serializer] | None:
        handler = getattr(type(self.view), self.method.lower(), None)
        if handler is None:
            return None
        try:
            match = QUERY_CALL.search(inspect.getsource(handler))
        except (OSError, TypeError):
            return None
        if match is None:
            return None
        name = match.group(1)
        if name.startswith("self."):
            return getattr(self.view, name.removeprefix("self."), None)
        return inspect.getmodule(handler).__dict__.get(name)


# Any value is taken: one the API does not know falls back to the user's language, then zh-CN.
X_LANGUAGE = OpenApiParameter(
    "X-Language",
    str,
    OpenApiParameter.HEADER,
    required=False,
    default="zh-CN",
    description="Language of the response texts: `zh-CN` or `en-US`; any other value means the default.",
)


# The operation answers `{}`.
EMPTY_RESPONSE = OpenApiResponse(OpenApiTypes.OBJECT, description="An empty object, `{}`.")


@cache
def page_of(item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"list": [item…], "total": N}` for `item_serializer`, named after it in the schema."""
    name = item_serializer.__name__.removesuffix("Serializer") + "Page"
    return type(
        name,
        (serializers.Serializer,),
        {
            "list": item_serializer(many=True),
            "total": serializers.IntegerField(),
            "__module__": item_serializer.__module__,
        },
    )


@cache
def list_of(item_serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """`{"list": [item…]}` for `item_serializer`."""
    name = item_serializer.__name__.removesuffix("Serializer") + "List"
    return type(
        name,
        (serializers.Serializer,),
        {"list": item_serializer(many=True), "__module__": item_serializer.__module__},
    )


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crm.users.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The token from login or register."}
