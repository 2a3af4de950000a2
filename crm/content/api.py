"""public.placement.* and public.popup.*: what the client and IB portals show, and "don't show again"."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from crm.api.fields import I18nTextsField, PublicFileUrlField
from crm.api.languages import localized, request_language
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE, list_of
from crm.api.views import OperationView
from crm.content import selectors, services
from crm.content.models import Audience, Placement

# The spec has no audience parameter; portals may still ask for one (an IB portal page before login).
AUDIENCE_PARAMETER = OpenApiParameter(
    "audience",
    str,
    required=False,
    enum=[Audience.CLIENT, Audience.IB],
    description="Whose content: `client` or `ib`. Default: `ib` for a signed-in IB, `client` otherwise.",
)


class AudienceQuerySerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=[Audience.CLIENT, Audience.IB], required=False)


class LocalizedTextField(serializers.CharField):
    """One text of a `{"zh-CN": …, "en-US": …}` field, in the language this request is answered in."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return localized(value, request_language())


class PublishedContentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    audience = serializers.ChoiceField(choices=Audience.choices)
    title = LocalizedTextField(source="title_i18n", help_text="The title in the request's language.")
    content = LocalizedTextField(source="content_i18n", help_text="The content in the request's language.")
    title_i18n = I18nTextsField()
    content_i18n = I18nTextsField()
    image_url = PublicFileUrlField(source="image", help_text='Absolute URL of the image; "" when there is none.')
    link_url = serializers.CharField(help_text='Where a click leads: an http(s) URL or a portal path; "" for none.')
    starts_at = serializers.DateTimeField(help_text="Shown from (company time zone).")
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Shown until; null when open-ended.")
    position = serializers.IntegerField(help_text="Lower first.")


class ContentPlacementSerializer(PublishedContentSerializer):
    slot = serializers.ChoiceField(choices=Placement.Slot.choices, help_text="Where in the portal it goes.")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # An uploaded image wins over an external address.
        data["image_url"] = data["image_url"] or instance.image_url
        return data


class ContentPopupSerializer(PublishedContentSerializer):
    pass


class PlacementListApi(OperationView):
    operation_id = "public.placement.list_placements"
    permission_classes = [AllowAny]

    class QuerySerializer(AudienceQuerySerializer):
        slot = serializers.ChoiceField(choices=Placement.Slot.choices, required=False)

    @extend_schema(
        parameters=[
            X_LANGUAGE,
            AUDIENCE_PARAMETER,
            OpenApiParameter(
                "slot", str, required=False, enum=Placement.Slot.values, description="Only this slot's placements."
            ),
        ],
        responses=list_of(ContentPlacementSerializer),
        summary="Get the list of placements (published content/campaigns) for the Client/IB portal.",
        description="Enabled placements inside their time window, by slot and position. No login needed.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        placements = selectors.placements_live(
            audience=query.get("audience") or selectors.audience_for(request.user), slot=query.get("slot")
        )
        context = {"request": request}
        return Response({"list": ContentPlacementSerializer(placements, many=True, context=context).data})


class PopupListApi(OperationView):
    operation_id = "public.popup.list_popups"
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[X_LANGUAGE, AUDIENCE_PARAMETER],
        responses=list_of(ContentPopupSerializer),
        summary="Get the list of popups for the Client/IB portal.",
        description="Enabled popups inside their time window, by position, without those the signed-in user "
        "dismissed. No login needed.",
    )
    def get(self, request):
        query = self.query(AudienceQuerySerializer, request)
        popups = selectors.popups_live(
            audience=query.get("audience") or selectors.audience_for(request.user), user=request.user
        )
        return Response({"list": ContentPopupSerializer(popups, many=True, context={"request": request}).data})


class PopupDismissApi(OperationView):
    operation_id = "public.popup.dismiss_popups"
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            allow_empty=False,
            max_length=100,
            help_text="Popups not to show this user again.",
        )

    @extend_schema(
        request=InputSerializer,
        responses=EMPTY_RESPONSE,
        summary='Dismiss popups permanently ("don\'t show again").',
        description="Login required. Dismissing a popup twice is fine; an unknown id refuses the whole request "
        "(`popup_not_found`, field `ids`).",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        services.popup_dismiss(user=request.user, popup_ids=body["ids"])
        return Response({})
