"""The base view of every wlink operation."""

from __future__ import annotations

from typing import ClassVar

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from crm.api.languages import django_language_for


class OperationView(APIView):
    """One wlink operation. `operation_id` names it; its path and OpenAPI operationId follow."""

    operation_id: ClassVar[str]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # X-Language wins (the middleware applied it); otherwise the signed-in user's language.
        user = request.user
        if "HTTP_X_LANGUAGE" not in request.META and user is not None and getattr(user, "language", ""):
            translation.activate(django_language_for(user.language))
            request.LANGUAGE_CODE = translation.get_language()

    def query(self, serializer_class, request: Request) -> dict:
        """Validate the query string with `serializer_class`; 400 with field errors otherwise.

        A parameter the serializer does not know is refused too (a misspelt `pagesize` would
        otherwise be ignored in silence). An empty value of an optional one counts as absent.
        """
        serializer = serializer_class(data=request.query_params)
        # A list may also come as `name[]=…` (the form some HTTP clients send arrays in).
        known = {*serializer.fields, *(f"{name}[]" for name, field in serializer.fields.items() if is_list(field))}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def body(self, serializer_class, request: Request) -> dict:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def is_list(field: serializers.Field) -> bool:
    return isinstance(field, serializers.ListField | serializers.MultipleChoiceField)
