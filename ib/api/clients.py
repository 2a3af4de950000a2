"""ib.client.*: the IB's clients (its own and, where its plan allows, its downline's) and their accounts.

A client outside what the IB sees is 404 `client_not_found`, exactly like an unknown id; a login that
is not one of those clients' accounts is 404 `trading_account_not_found`. The filters that name an
object (`client_user_id`, `account_id`) answer 404 too rather than an empty page, so a list never
tells an IB whether someone else's client or account exists.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clients import selectors as client_selectors
from clients.api.presenters import ClientInfoSerializer, client_info_shown
from clients.models import KycStatus
from clients.trading import selectors as trading_selectors
from clients.trading.api import AccountListItemSerializer
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, page_rows
from crm.api.schema import X_LANGUAGE
from crm.users.models import User
from ib import selectors
from ib.api.common import IB_REFUSALS, INVALID_INPUT, MAX_ID, IbPortalView

CLIENT_NOT_FOUND = {404: OpenApiResponse(description="`client_not_found`: not one of the clients you see.")}
SEARCH_MAX_LENGTH = 100


class AttributionFieldsMixin(serializers.Serializer):
    """Who the client belongs to, from the caller's point of view."""

    ib_user_id = serializers.IntegerField(
        source="attributed_ib_user_id", help_text="The user id of the IB the client belongs to now."
    )
    level = serializers.IntegerField(
        help_text="How far below you that IB is: 0 for your own clients, 1 for a sub-IB's, …"
    )
    attributed_at = serializers.DateTimeField(help_text="Since when the client belongs to that IB.")


class ClientRowSerializer(AttributionFieldsMixin):
    client_user_id = serializers.IntegerField(source="pk", help_text="The client's user id.")
    client_name = serializers.CharField(source="name", help_text='"" until the client gives one.')
    email = serializers.EmailField()
    country = serializers.CharField(source="country.code", default="", help_text='ISO 3166-1 alpha-2; "" unknown.')
    kyc_status = serializers.SerializerMethodField(
        help_text="`approved` (verified) or `disapproved` (not verified: anything but approved), as the filter."
    )
    kyc_application_status = serializers.SerializerMethodField(
        help_text="The application itself: `filling`, `pending`, `approved`, `disapproved`."
    )
    status = serializers.ChoiceField(choices=User.Status.choices, help_text="`enabled` or `disabled` (cannot log in).")
    register_datetime = serializers.DateTimeField(source="date_joined", help_text="When the client signed up.")

    def _application(self, client) -> str:
        profile = getattr(client, "client_profile", None)
        return profile.kyc_status if profile is not None else KycStatus.FILLING

    def get_kyc_status(self, client) -> str:
        return selectors.KYC_APPROVED if self._application(client) == KycStatus.APPROVED else selectors.KYC_DISAPPROVED

    def get_kyc_application_status(self, client) -> str:
        return self._application(client)


class ClientPage(serializers.Serializer):
    list = ClientRowSerializer(many=True)
    total = serializers.IntegerField()


class ListClientsApi(IbPortalView):
    operation_id = "ib.client.list_clients"

    class QuerySerializer(PageQuerySerializer):
        client_user_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
        kyc_status = serializers.ChoiceField(
            choices=[selectors.KYC_APPROVED, selectors.KYC_DISAPPROVED], required=False
        )
        status = serializers.ChoiceField(choices=User.Status.choices, required=False)
        email = serializers.CharField(required=False, max_length=SEARCH_MAX_LENGTH)
        client_name = serializers.CharField(required=False, max_length=SEARCH_MAX_LENGTH)

    @extend_schema(
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("client_user_id", int, description="Only this client (404 if not one of yours)."),
            OpenApiParameter(
                "kyc_status",
                str,
                enum=[selectors.KYC_APPROVED, selectors.KYC_DISAPPROVED],
                description="`approved`: verified; `disapproved`: not verified (anything but approved).",
            ),
            OpenApiParameter("status", str, enum=User.Status.values, description="The user's status."),
            OpenApiParameter("email", str, description="Part of the e-mail address, any case."),
            OpenApiParameter("client_name", str, description="Part of the name, any case."),
            X_LANGUAGE,
        ],
        responses={200: ClientPage, **INVALID_INPUT, **IB_REFUSALS, **CLIENT_NOT_FOUND},
        summary="Get the IB's clients (paginated, filterable).",
        description="Your own clients and, when your plan lets you see your downline, your sub-IBs' clients "
        "(`level` > 0), newest sign-up first.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        clients = selectors.client_list(
            ib=self.ib,
            client_user_id=query.get("client_user_id"),
            kyc_status=query.get("kyc_status"),
            status=query.get("status"),
            email=query.get("email"),
            client_name=query.get("client_name"),
        )
        rows, total = page_rows(clients, page=query["page"], size=query["size"])
        return Response({"list": ClientRowSerializer(rows, many=True).data, "total": total})


class ClientDetailSerializer(ClientInfoSerializer, AttributionFieldsMixin):
    client_user_id = serializers.IntegerField(help_text="The client's user id.")
    client_name = serializers.CharField(help_text='"" until the client gives one.')
    email = serializers.EmailField()
    status = serializers.ChoiceField(choices=User.Status.choices)


class GetClientApi(IbPortalView):
    operation_id = "ib.client.get_client"

    class QuerySerializer(serializers.Serializer):
        client_user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        parameters=[OpenApiParameter("client_user_id", int, required=True, description="Client user ID."), X_LANGUAGE],
        responses={200: ClientDetailSerializer, **INVALID_INPUT, **IB_REFUSALS, **CLIENT_NOT_FOUND},
        summary="Get the details of one of the IB's clients.",
        description="The client's KYC status as client.user.get_info shows it to the client, but the documents: "
        "file fields of `kyc_data` are null (identity papers stay between the client and the broker).",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        client = selectors.client_of(ib=self.ib, client_user_id=query["client_user_id"])
        overview = client_selectors.kyc_overview(profile=client_selectors.client_profile_of(user=client))
        info = {
            **client_info_shown(overview),
            "kyc_data": client_selectors.kyc_data_for_display(overview, file_value=lambda stored_file: None),
            "client_user_id": client.pk,
            "client_name": client.name,
            "email": client.email,
            "status": client.status,
            "attributed_ib_user_id": client.attributed_ib_user_id,
            "level": client.level,
            "attributed_at": client.attributed_at,
        }
        return Response(ClientDetailSerializer(info).data)


class ClientAccountSerializer(AccountListItemSerializer):
    client_user_id = serializers.IntegerField(source="user_id", help_text="The owner's user id.")
    user_name = serializers.CharField(source="user.name", help_text='The owner\'s name; "" when not given.')
    email = serializers.EmailField(source="user.email", help_text="The owner's e-mail address.")
    account_id = serializers.CharField(source="login", help_text="The login on the platform, as a string.")


class ClientAccountPage(serializers.Serializer):
    list = ClientAccountSerializer(many=True)
    total = serializers.IntegerField()


class ListClientTradingAccountsApi(IbPortalView):
    operation_id = "ib.client.list_trading_accounts"

    class QuerySerializer(PageQuerySerializer):
        user_name = serializers.CharField(required=False, max_length=SEARCH_MAX_LENGTH)
        account_id = serializers.CharField(required=False, max_length=32)
        trading_account_type_name = serializers.CharField(required=False, max_length=SEARCH_MAX_LENGTH)

    @extend_schema(
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("user_name", str, description="Part of the owner's name, any case."),
            OpenApiParameter(
                "account_id", str, description="A login (404 `trading_account_not_found` if not your clients')."
            ),
            OpenApiParameter(
                "trading_account_type_name", str, description="Part of the account type's name, in any language."
            ),
            X_LANGUAGE,
        ],
        responses={
            200: ClientAccountPage,
            **INVALID_INPUT,
            **IB_REFUSALS,
            404: OpenApiResponse(description="`trading_account_not_found`: `account_id` is not your clients'."),
        },
        summary="Get the trading accounts of the IB's clients (paginated).",
        description="The live and demo accounts of the clients `ib.client.list_clients` lists, newest first, "
        "with the figures of the CRM's snapshot (as client.trading_account.list_accounts).",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        accounts = selectors.client_trading_accounts(
            ib=self.ib,
            user_name=query.get("user_name"),
            account_id=query.get("account_id"),
            trading_account_type_name=query.get("trading_account_type_name"),
        )
        rows, total = page_rows(accounts, page=query["page"], size=query["size"])
        states = trading_selectors.account_snapshots_of(rows)
        return Response(
            {"list": ClientAccountSerializer(rows, many=True, context={"states": states}).data, "total": total}
        )
