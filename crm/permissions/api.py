"""public.permission.*: the menus and buttons of the client and IB portals."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from crm.api.fields import I18nTextsField
from crm.api.languages import localized, request_language
from crm.api.schema import X_LANGUAGE
from crm.api.views import OperationView
from crm.permissions import selectors
from crm.permissions.models import Audience

REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(
        description="`not_a_portal_user`: staff accounts have no portal menus; "
        "`not_an_ib`: the IB portal was asked for by a user who is not an IB."
    ),
}


class LocalizedNameField(serializers.CharField):
    """The `name_i18n` texts in the request's language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "In the request's language (X-Language, else the user's language).")
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return localized(value, self.context["language"])


class PortalMenuButtonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Unique within its menu, e.g. open_live.")
    name = LocalizedNameField(source="name_i18n")


class PortalMenuSerializer(serializers.Serializer):
    """A menu of the user's portal, with its buttons and sub-menus (same shape, recursively)."""

    code = serializers.CharField(help_text="Unique across both portals, e.g. accounts or ib_clients.")
    name = LocalizedNameField(source="menu.name_i18n")
    path = serializers.CharField(source="menu.path", help_text="The portal route, e.g. /accounts.")
    icon = serializers.CharField(source="menu.icon", help_text='An icon name; "" for none.')
    buttons = PortalMenuButtonSerializer(many=True)


PortalMenuSerializer._declared_fields["children"] = PortalMenuSerializer(many=True)


class MenuPermissionsSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices, help_text="The portal these menus are for.")
    actions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For every menu code of `menus` (at any depth), the codes of its buttons the user may use.",
    )
    menus = PortalMenuSerializer(many=True, help_text="The enabled menus of the portal, as a tree.")


class MenuButtonSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = LocalizedNameField(source="name_i18n")
    name_i18n = I18nTextsField()


class MenuSerializer(serializers.Serializer):
    """A menu of either portal, with its buttons and sub-menus (same shape, recursively)."""

    code = serializers.CharField()
    audience = serializers.ChoiceField(choices=Audience.choices, source="menu.audience")
    name = LocalizedNameField(source="menu.name_i18n")
    name_i18n = I18nTextsField(source="menu.name_i18n")
    path = serializers.CharField(source="menu.path")
    icon = serializers.CharField(source="menu.icon")
    position = serializers.IntegerField(source="menu.position", help_text="Order among its siblings.")
    buttons = MenuButtonSerializer(many=True)


MenuSerializer._declared_fields["children"] = MenuSerializer(many=True)


class ButtonPermissionsApi(OperationView):
    operation_id = "public.permission.get_button_permissions"

    class QuerySerializer(serializers.Serializer):
        audience = serializers.ChoiceField(choices=Audience.values, required=False, default=Audience.CLIENT)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "audience",
                str,
                required=False,
                default=Audience.CLIENT,
                enum=Audience.values,
                description="Which portal: client (default; every portal user has it) or ib (IBs only).",
            ),
            X_LANGUAGE,
        ],
        responses={200: MenuPermissionsSerializer, **REFUSALS},
        summary="Get the logged-in user's button (action) permissions and menus.",
        description="Login required. The client portal unless `audience=ib` is asked for.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        permissions = selectors.user_menu_permissions(user=request.user, requested_audience=query["audience"])
        return Response(MenuPermissionsSerializer(permissions, context={"language": request_language()}).data)


class MenuPermissionsApi(OperationView):
    operation_id = "public.permission.get_menu_permissions"

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: MenuPermissionsSerializer, **REFUSALS},
        summary="Get the logged-in user's menu permissions (IB or Client detected automatically).",
        description="Login required. IBs get the IB portal's menus, clients the client portal's.",
    )
    def get(self, request):
        permissions = selectors.user_menu_permissions(user=request.user)
        return Response(MenuPermissionsSerializer(permissions, context={"language": request_language()}).data)


class MenuListApi(OperationView):
    operation_id = "public.permission.list_menus"

    class MenuListSerializer(serializers.Serializer):
        list = MenuSerializer(many=True, help_text="The enabled menus of both portals, as a tree per portal.")

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: MenuListSerializer, 401: REFUSALS[401]},
        summary="Get all menus with their buttons (the user's menu list).",
        description="Login required.",
    )
    def get(self, request):
        tree = selectors.menu_tree()
        return Response(self.MenuListSerializer({"list": tree}, context={"language": request_language()}).data)
