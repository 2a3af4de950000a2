"""Serializer fields shared by every app's API."""

from __future__ import annotations

import functools

from django.db.models.fields.files import FieldFile
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.users.models import Language

# The range of a 64-bit signed integer: every integer column and every SQL OFFSET/LIMIT holds it.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def bound_integer_fields() -> None:
    """Give every DRF `IntegerField` the 64-bit range unless it declares a tighter bound.

    An unbounded integer reaches the database and overflows there (a 500 instead of a 400 naming
    the field); bounding the field class once covers every serializer, declared or built from a
    model, and the schema then documents `minimum`/`maximum` for every integer.
    """
    original_init = serializers.IntegerField.__init__
    if getattr(original_init, "is_bounded", False):
        return

    @functools.wraps(original_init)
    def bounded_init(self, **kwargs):
        if kwargs.get("min_value") is None:
            kwargs["min_value"] = INT64_MIN
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = INT64_MAX
        original_init(self, **kwargs)

    bounded_init.is_bounded = True
    serializers.IntegerField.__init__ = bounded_init


I18N_TEXTS_SCHEMA = {
    "type": "object",
    "description": "The text in each portal language; an empty string where none is set.",
    "properties": {language: {"type": "string"} for language in Language.values},
    "required": list(Language.values),
}


@extend_schema_field(I18N_TEXTS_SCHEMA)
class I18nTextsField(serializers.Field):
    """`{"zh-CN": "…", "en-US": "…"}` with every language present, so apps need not guess keys."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        texts = value or {}
        return {language: texts.get(language, "") for language in Language.values}


@extend_schema_field({"type": "string", "description": 'Absolute URL; "" when not set.'})
class PublicFileUrlField(serializers.Field):
    """A file of the public storage as an absolute URL, `""` when there is none."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        # The FieldFile itself, even when empty (DRF would otherwise hand us None or skip it).
        return getattr(instance, self.source)

    def to_representation(self, value: FieldFile) -> str:
        if not value:
            return ""
        url = value.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
