"""Every API operation, as the URL conf and the generated schema describe it: for the authorization matrix.

Nothing here is a hand-kept list: a new view routed with `operation_urls` shows up on its own, with its
method, whether anonymous callers may use it (its permission classes say so) and its parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIRequestFactory

from crm.api.views import OperationView

# Parameters that name an object: `id`, `ids`, `*_id`, `*_ids`, order numbers, platform logins, accounts.
ID_LIKE = re.compile(r"^(id|ids|.+_ids?|.*order_number|login|account)$")
# Parameters that name an object without looking like an id: a private link to one of the caller's files.
OBJECT_REFERENCES = {"receipt_url"}


@dataclass(frozen=True)
class Parameter:
    name: str
    is_required: bool

    @property
    def is_id_like(self) -> bool:
        return bool(ID_LIKE.match(self.name)) or self.name in OBJECT_REFERENCES


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    method: str
    view_class: type[OperationView]
    parameters: tuple[Parameter, ...]

    @property
    def group(self) -> str:
        """`client.trading_account` for `client.trading_account.get_account`."""
        return self.operation_id.rsplit(".", 1)[0]

    @property
    def is_public(self) -> bool:
        return allows_anonymous(self.view_class, self.method)

    @property
    def id_parameters(self) -> tuple[Parameter, ...]:
        return tuple(parameter for parameter in self.parameters if parameter.is_id_like)

    def __str__(self) -> str:
        return self.operation_id


def allows_anonymous(view_class: type[OperationView], method: str) -> bool:
    """Whether every permission class of the view lets a request without a token through."""
    view = view_class()
    request = view.initialize_request(getattr(APIRequestFactory(), method)("/"))
    view.request, view.format_kwarg = request, None
    return all(permission.has_permission(request, view) for permission in view.get_permissions())


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield "/" + prefix + str(pattern.pattern), pattern


def _schema_parameters(schema: dict, path: str, method: str) -> tuple[Parameter, ...]:
    operation = schema["paths"][path][method]
    parameters = [
        Parameter(name=parameter["name"], is_required=parameter.get("required", False))
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("query", "path")
    ]
    for content in operation.get("requestBody", {}).get("content", {}).values():
        body = content["schema"]
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        required = set(body.get("required", []))
        parameters += [Parameter(name=name, is_required=name in required) for name in body.get("properties", {})]
        break  # every content type carries the same serializer
    return tuple(parameters)


@cache
def api_operations() -> tuple[Operation, ...]:
    """Every operation view routed under the URL conf, with its parameters from the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, pattern in _routes(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or not issubclass(view_class, OperationView):
            continue
        for method in view_class().allowed_methods:
            method = method.lower()
            if method in ("options", "head"):
                continue
            operations.append(
                Operation(
                    operation_id=view_class.operation_id,
                    path=path,
                    method=method,
                    view_class=view_class,
                    parameters=_schema_parameters(schema, path, method),
                )
            )
    return tuple(sorted(operations, key=lambda operation: operation.operation_id))
