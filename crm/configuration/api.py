"""public.settings.*: the company's public settings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import page_of
from crm.api.views import OperationView
from crm.configuration import selectors


class TenantVersionApi(OperationView):
    operation_id = "public.settings.get_tenant_version"
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        version = serializers.CharField(help_text="Changes whenever a public setting changes; apps refetch then.")

    @extend_schema(responses=OutputSerializer, summary="Get the current tenant's version number.")
    def get(self, request):
        return Response(self.OutputSerializer({"version": selectors.tenant_version()}).data)


class LeverageListApi(OperationView):
    operation_id = "public.settings.list_leverages"
    permission_classes = [AllowAny]

    class LeverageSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        value = serializers.IntegerField(help_text="100 means 1:100.")
        label = serializers.CharField(source="__str__")

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=page_of(LeverageSerializer),
        summary="Get the global list of leverage options (paginated).",
    )
    def get(self, request):
        page = self.query(PageQuerySerializer, request)
        return Response(paginate(selectors.leverages_enabled(), serializer_class=self.LeverageSerializer, **page))
