"""drf-spectacular glue: operationId from the view, shared parameter and response shapes."""

from __future__ import annotations

from functools import cache

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

GENERIC_SERIALIZER_NAMES = {"InputSerializer", "OutputSerializer", "QuerySerializer", "ItemSerializer"}


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


X_LANGUAGE = OpenApiParameter(
    "X-Language",
    str,
    OpenApiParameter.HEADER,
    required=False,
    default="zh-CN",
    enum=["zh-CN", "en-US"],
    description="Language of the response texts.",
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
