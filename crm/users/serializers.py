"""Serializers shared by several user operations (login, registration)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.users.models import User


class UserInfoSerializer(serializers.ModelSerializer):
    """The signed-in user, as the apps show and configure it."""

    country_code = serializers.CharField(
        source="country.code",
        allow_null=True,
        default=None,
        read_only=True,
        help_text="ISO 3166-1 alpha-2 code of the user's country; null when not given.",
    )
    time_zone = serializers.SerializerMethodField(
        help_text="The user's IANA time zone; the company's when the user has not chosen one."
    )
    date_joined = serializers.DateTimeField(read_only=True, help_text="`YYYY-MM-DD HH:MM:SS`, company time zone.")
    last_login = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The previous successful login, or this one right after it."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "phone",
            "country_code",
            "language",
            "time_zone",
            "role",
            "status",
            "date_joined",
            "last_login",
            "password_strength",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "language": {"help_text": "The language the apps and e-mails use for this user."},
            "role": {"help_text": "`client`, `ib` (introducing broker) or `staff`."},
            "password_strength": {
                "help_text": "How strong the current password is (`weak`, `medium`, `strong`); empty when unknown."
            },
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_time_zone(self, user: User) -> str:
        if user.time_zone:
            return user.time_zone
        from crm.configuration.selectors import company_time_zone

        return company_time_zone().key
