"""client.download.*, ib.download.*: the software the portals offer; client.trading_tool.*: trading-tools columns.

The client portal serves every portal user (IBs have the client portal too, as in `crm.permissions`); the IB
portal only IBs (403 `not_an_ib`); staff have no portal (403 `not_a_portal_user`). Each portal lists the
downloads meant for it and those for everyone.
"""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from clients.resources import selectors, services
from clients.resources.models import SoftwareDownload
from crm.api.fields import PublicFileUrlField
from crm.api.languages import localized, request_language
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE
from crm.api.views import OperationView
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from crm.platforms.models import TradingServer

MAX_ID = 2**63 - 1

REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(
        description="`not_an_ib`: the IB portal, for a user who is not an IB; "
        "`not_a_portal_user`: staff have no portal."
    ),
}
CLIENT_PORTAL_REFUSALS = {
    401: REFUSALS[401],
    403: OpenApiResponse(description="`not_a_portal_user`: staff have no portal."),
}
COLUMN_NOT_FOUND = {404: OpenApiResponse(description="`trading_tool_column_not_found`: no enabled column has this id.")}
COLUMN_ID_PARAMETER = OpenApiParameter("column_id", int, required=True, description="The column's id.")


class LocalizedTextField(serializers.CharField):
    """One text of a `{"zh-CN": …, "en-US": …}` field, in the language this request is answered in."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return localized(value, request_language())


class PortalView(OperationView):
    """An operation of one portal; refuses users without that portal."""

    portal: ClassVar[str] = Audience.CLIENT

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=self.portal)


class SoftwareDownloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = LocalizedTextField(source="name_i18n", help_text="In the request's language, e.g. MetaTrader 5.")
    platform = serializers.ChoiceField(choices=TradingServer.Platform.choices)
    os = serializers.ChoiceField(choices=SoftwareDownload.OperatingSystem.choices, help_text="Where it runs.")
    version = serializers.CharField(help_text='"" for the latest.')
    download_url = serializers.CharField(help_text="Installer, app-store page or web terminal; or a path here.")
    icon_url = PublicFileUrlField(source="icon", help_text='Absolute URL of the icon; "" when there is none.')


class SoftwareDownloadList(serializers.Serializer):
    list = SoftwareDownloadSerializer(many=True)
    total = serializers.IntegerField(help_text="How many there are (all of them are in `list`).")


class ClientSoftwareListApi(PortalView):
    operation_id = "client.download.list_software"

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: SoftwareDownloadList, **REFUSALS},
        summary="Get the list of downloadable software (trading platform downloads).",
        description="Enabled downloads for this portal and for everyone, by position. Not paginated.",
    )
    def get(self, request):
        downloads = SoftwareDownloadSerializer(
            selectors.software_downloads_for(audience=self.portal), many=True, context={"request": request}
        ).data
        return Response({"list": downloads, "total": len(downloads)})


class IbSoftwareListApi(ClientSoftwareListApi):
    operation_id = "ib.download.list_software"
    portal = Audience.IB


class ColumnIdSerializer(serializers.Serializer):
    column_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The column's id.")


class TradingToolColumnDetailApi(PortalView):
    operation_id = "client.trading_tool.get_column_detail"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(
            help_text="The column's id, as `column_id`: its texts in every language are kept on the column."
        )
        column_id = serializers.IntegerField(source="id")
        title = LocalizedTextField(source="title_i18n")
        iframe_link = LocalizedTextField(
            source="iframe_link_i18n", help_text="The page to embed for this language (https, or a path here)."
        )
        popup_title = LocalizedTextField(source="popup_title_i18n", help_text='"" when the column has no popup.')
        popup_content = LocalizedTextField(source="popup_content_i18n")
        language = serializers.SerializerMethodField(help_text="The language of the texts: zh-CN or en-US.")
        is_read = serializers.SerializerMethodField(help_text="Whether the user has read the popup.")

        def get_language(self, column) -> str:
            return request_language()

        def get_is_read(self, column) -> bool:
            return self.context["is_read"]

    @extend_schema(
        parameters=[COLUMN_ID_PARAMETER, X_LANGUAGE],
        responses={200: OutputSerializer, **CLIENT_PORTAL_REFUSALS, **COLUMN_NOT_FOUND},
        summary="Get the localized details of a trading-tools column (iframe link, popup content).",
        description="Texts in the request's language (X-Language, else the user's), falling back to Chinese.",
    )
    def get(self, request):
        query = self.query(ColumnIdSerializer, request)
        column = selectors.trading_tool_column_get(column_id=query["column_id"])
        is_read = selectors.trading_tool_popup_is_read(user=request.user, column=column)
        return Response(self.OutputSerializer(column, context={"is_read": is_read}).data)


class TradingToolPopupReadCheckApi(PortalView):
    operation_id = "client.trading_tool.check_popup_read"

    class OutputSerializer(serializers.Serializer):
        is_read = serializers.BooleanField(help_text="Whether the user has read the column's popup.")

    @extend_schema(
        parameters=[COLUMN_ID_PARAMETER],
        responses={200: OutputSerializer, **CLIENT_PORTAL_REFUSALS, **COLUMN_NOT_FOUND},
        summary="Check whether a trading-tools column popup has been read.",
    )
    def get(self, request):
        query = self.query(ColumnIdSerializer, request)
        column = selectors.trading_tool_column_get(column_id=query["column_id"])
        return Response({"is_read": selectors.trading_tool_popup_is_read(user=request.user, column=column)})


class TradingToolPopupMarkReadApi(PortalView):
    operation_id = "client.trading_tool.mark_popup_read"
    parser_classes = [JSONParser]

    @extend_schema(
        request=ColumnIdSerializer,
        responses={200: EMPTY_RESPONSE, **CLIENT_PORTAL_REFUSALS, **COLUMN_NOT_FOUND},
        summary="Mark a trading-tools column popup as read.",
        description="Marking it again is fine.",
    )
    def post(self, request):
        body = self.body(ColumnIdSerializer, request)
        services.trading_tool_popup_mark_read(user=request.user, column_id=body["column_id"])
        return Response({})
