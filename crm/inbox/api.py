"""client.message.* and ib.message.*: the signed-in user's inbox, in the client portal and in the IB portal.

Both portals show the same inbox — the messages addressed to the user — through the same code. The client
portal serves every portal user (an IB has the client portal too, as in `crm.permissions`); the IB portal
serves IBs only (403 `not_an_ib`). Staff have no portal (403 `not_a_portal_user`).

Reading a message (`get_message`) does not mark it read: the portal calls `mark_read` when the user has
seen it, so a preview or a prefetch never clears the unread badge by accident.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.text import Truncator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from crm.api.languages import localized, request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE, page_of
from crm.api.views import OperationView
from crm.content.models import Audience
from crm.inbox import selectors, services
from crm.permissions.selectors import portal_audience_for

PREVIEW_LENGTH = 100
MAX_ID = 2**63 - 1

REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(
        description="`not_an_ib`: the IB portal, for a user who is not an IB; "
        "`not_a_portal_user`: staff have no portal inbox."
    ),
}
NOT_FOUND = {
    404: OpenApiResponse(
        description="`message_not_found`: no such message in the user's inbox (unknown, someone else's, "
        "scheduled for later, or hidden)."
    )
}
ID_PARAMETER = OpenApiParameter("id", int, required=True, description="Message ID.")


class LocalizedTextField(serializers.CharField):
    """One text of a `{"zh-CN": …, "en-US": …}` field, in the language this request is answered in."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return localized(value, request_language())


class PreviewField(LocalizedTextField):
    def to_representation(self, value) -> str:
        text = " ".join(super().to_representation(value).split())
        return Truncator(text).chars(PREVIEW_LENGTH)


class MessageIdSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Message ID.")


class InboxMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = LocalizedTextField(source="title_i18n", help_text="In the request's language.")
    content_preview = PreviewField(
        source="content_i18n",
        help_text=f"The start of the content in the request's language, on one line, at most {PREVIEW_LENGTH} "
        "characters (… when cut).",
    )
    sender = serializers.CharField(help_text="Who it is from, e.g. Customer service.")
    is_read = serializers.BooleanField(help_text="Whether the user marked it read.")
    created_at = serializers.DateTimeField(source="published_at", help_text="When it was sent (company time zone).")


class InboxMessageDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = LocalizedTextField(source="title_i18n", help_text="In the request's language.")
    content = LocalizedTextField(source="content_i18n", help_text="Plain text in the request's language.")
    sender = serializers.CharField(help_text="Who it is from, e.g. Customer service.")
    is_read = serializers.BooleanField(help_text="Whether the user marked it read (reading this does not).")
    read_at = serializers.DateTimeField(allow_null=True, help_text="When the user marked it read; null if unread.")
    created_at = serializers.DateTimeField(source="published_at", help_text="When it was sent (company time zone).")


class InboxView(OperationView):
    """An operation of one portal's inbox; refuses users without that portal."""

    portal: ClassVar[str] = Audience.CLIENT

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=self.portal)


class ClientMessageListApi(InboxView):
    operation_id = "client.message.list_messages"

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, X_LANGUAGE],
        responses={200: page_of(InboxMessageSerializer), **REFUSALS},
        summary="Get the message list (paginated).",
        description="The user's inbox, newest first: messages sent to them and broadcasts to their segment "
        "(clients or IBs, their country and language) published since they joined. Hidden messages are left "
        "out.",
    )
    def get(self, request):
        query = self.query(PageQuerySerializer, request)
        messages = selectors.messages_for(user=request.user)
        page = paginate(messages, page=query["page"], size=query["size"], serializer_class=InboxMessageSerializer)
        return Response(page)


class ClientMessageGetApi(InboxView):
    operation_id = "client.message.get_message"

    @extend_schema(
        parameters=[ID_PARAMETER, X_LANGUAGE],
        responses={200: InboxMessageDetailSerializer, **REFUSALS, **NOT_FOUND},
        summary="Get a message's details.",
        description="Does not mark it read: call `mark_read` for that.",
    )
    def get(self, request):
        query = self.query(MessageIdSerializer, request)
        message = selectors.message_of(user=request.user, message_id=query["id"])
        return Response(InboxMessageDetailSerializer(message).data)


class ClientMessageHideApi(InboxView):
    operation_id = "client.message.hide_message"
    parser_classes = [JSONParser]

    @extend_schema(
        request=MessageIdSerializer,
        responses={200: EMPTY_RESPONSE, **REFUSALS, **NOT_FOUND},
        summary="Hide a message.",
        description="Takes it out of the list and the unread count for good. Hiding it again is fine.",
    )
    def post(self, request):
        body = self.body(MessageIdSerializer, request)
        services.message_hide(user=request.user, message_id=body["id"])
        return Response({})


class ClientMessageMarkReadApi(InboxView):
    operation_id = "client.message.mark_read"
    parser_classes = [JSONParser]

    @extend_schema(
        request=MessageIdSerializer,
        responses={200: EMPTY_RESPONSE, **REFUSALS, **NOT_FOUND},
        summary="Mark a message as read.",
        description="Marking it again is fine; the first read time stays. A hidden message is not found.",
    )
    def post(self, request):
        body = self.body(MessageIdSerializer, request)
        services.message_mark_read(user=request.user, message_id=body["id"])
        return Response({})


class ClientMessageUnreadCountApi(InboxView):
    operation_id = "client.message.get_unread_count"

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField(help_text="Messages of the list not marked read.")

    @extend_schema(
        responses={200: OutputSerializer, **REFUSALS},
        summary="Get the number of unread messages.",
        description="Counts the messages `list_messages` returns that are not marked read.",
    )
    def get(self, request):
        return Response({"count": selectors.message_unread_count(user=request.user)})


class IbMessageListApi(ClientMessageListApi):
    operation_id = "ib.message.list_messages"
    portal = Audience.IB


class IbMessageGetApi(ClientMessageGetApi):
    operation_id = "ib.message.get_message"
    portal = Audience.IB


class IbMessageHideApi(ClientMessageHideApi):
    operation_id = "ib.message.hide_message"
    portal = Audience.IB


class IbMessageMarkReadApi(ClientMessageMarkReadApi):
    operation_id = "ib.message.mark_read"
    portal = Audience.IB


class IbMessageUnreadCountApi(ClientMessageUnreadCountApi):
    operation_id = "ib.message.get_unread_count"
    portal = Audience.IB
