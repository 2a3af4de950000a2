"""ib.rebate.*: the IB's rebate records (its payouts) and rebate accounts, and choosing the one paid into."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from clients.trading.models import TradingAccount
from crm.api.languages import request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import X_LANGUAGE
from ib import selectors, services
from ib.api.common import IB_REFUSALS, INVALID_INPUT, MAX_ID, IbPortalView
from ib.models import RebatePayout

REBATE_ACCOUNT_NOT_FOUND = {
    404: OpenApiResponse(description="`rebate_account_not_found`: not one of your rebate accounts.")
}


class RebateRecordSerializer(serializers.Serializer):
    """One payout: the commission lines of the IB gathered at once and paid into its rebate account."""

    id = serializers.IntegerField(help_text="The payout's id.")
    rebate_aggregation_id = serializers.IntegerField(
        source="pk", help_text="The same id, as the commission reports name it (their `rebate_aggregation_id`)."
    )
    order_number = serializers.CharField(help_text="The payout's reference, as on the ledger and platform comment.")
    amount = serializers.SerializerMethodField(
        help_text="What is paid: the lines' sum (reversals included), 2 decimals."
    )
    currency = serializers.CharField(help_text="The plan's currency the lines are in.")
    line_count = serializers.IntegerField(help_text="How many commission lines (deals × levels) it gathers.")
    status = serializers.ChoiceField(
        choices=RebatePayout.Status.choices,
        help_text="`pending` (waiting for staff approval), `held` (staff hold it), `approved` (being paid into the "
        "account), `paid`.",
    )
    status_label = serializers.SerializerMethodField(help_text="`status` in the request's language.")
    account = serializers.CharField(source="rebate_account.login", help_text="The login it is paid into.")
    created_at = serializers.DateTimeField(help_text="When the lines were gathered (calculate time of the payout).")
    grant_at = serializers.DateTimeField(
        source="granted_at", allow_null=True, help_text="When the money reached the account; null until paid."
    )

    def get_amount(self, payout) -> str:
        return f"{payout.amount:.2f}"

    def get_status_label(self, payout) -> str:
        return str(RebatePayout.Status(payout.status).label)


class RebateRecordPage(serializers.Serializer):
    list = RebateRecordSerializer(many=True)
    total = serializers.IntegerField()


class ListRebateRecordsApi(IbPortalView):
    operation_id = "ib.rebate.list_records"

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, X_LANGUAGE],
        responses={200: RebateRecordPage, **INVALID_INPUT, **IB_REFUSALS},
        summary="Get the IB's rebate (commission payout) records (paginated).",
        description="Your payouts, newest first. Each gathers commission lines (see the commission reports "
        "by `rebate_aggregation_id`) and is paid, once approved, into the rebate account enabled then.",
    )
    def get(self, request):
        query = self.query(PageQuerySerializer, request)
        records = selectors.rebate_records_of(ib=self.ib)
        return Response(
            paginate(records, page=query["page"], size=query["size"], serializer_class=RebateRecordSerializer)
        )


class RebateAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="trading_account_id", help_text="The trading account's id: what `set_account_enabled` takes."
    )
    account = serializers.CharField(source="trading_account.login", help_text="The login, as a string.")
    account_id = serializers.CharField(source="trading_account.login", help_text="The login (the filter's value).")
    enabled = serializers.BooleanField(source="is_enabled", help_text="Whether payouts go here; one at most.")
    currency = serializers.CharField(source="trading_account.currency")
    trading_platform = serializers.CharField(source="trading_account.server.platform")
    server_name = serializers.CharField(source="trading_account.server.name")
    trading_account_type_name = serializers.SerializerMethodField(help_text="In the request's language.")
    account_status = serializers.ChoiceField(
        source="trading_account.status",
        choices=TradingAccount.Status.choices,
        help_text="A `disabled` trading account cannot be enabled for rebates.",
    )
    created_at = serializers.DateTimeField(help_text="When staff made it a rebate account.")

    def get_trading_account_type_name(self, rebate_account) -> str:
        return rebate_account.trading_account.account_type.name(request_language())


class RebateAccountPage(serializers.Serializer):
    list = RebateAccountSerializer(many=True)
    total = serializers.IntegerField()


class ListRebateAccountsApi(IbPortalView):
    operation_id = "ib.rebate.list_accounts"

    class QuerySerializer(PageQuerySerializer):
        account_id = serializers.CharField(required=False, max_length=32)

    @extend_schema(
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter(
                "account_id", str, description="A login (404 `rebate_account_not_found` if not one of yours)."
            ),
            X_LANGUAGE,
        ],
        responses={200: RebateAccountPage, **INVALID_INPUT, **IB_REFUSALS, **REBATE_ACCOUNT_NOT_FOUND},
        summary="Get the IB's rebate accounts (paginated).",
        description="The trading accounts staff set up to receive your rebates, the enabled one first.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        accounts = selectors.rebate_accounts_of(ib=self.ib, account_id=query.get("account_id"))
        return Response(
            paginate(accounts, page=query["page"], size=query["size"], serializer_class=RebateAccountSerializer)
        )


class SetRebateAccountEnabledApi(IbPortalView):
    operation_id = "ib.rebate.set_account_enabled"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        enabled = serializers.BooleanField(help_text="true: pay rebates here (the others are disabled); false: not.")
        id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="The trading account's id (`id` of list_accounts)."
        )

    class OutputSerializer(serializers.Serializer):
        account = serializers.CharField(source="trading_account.login", help_text="The account's login.")
        id = serializers.IntegerField(source="trading_account_id")
        enabled = serializers.BooleanField(source="is_enabled")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **INVALID_INPUT,
            **IB_REFUSALS,
            **REBATE_ACCOUNT_NOT_FOUND,
            409: OpenApiResponse(description="`rebate_account_not_usable`: the trading account is disabled."),
        },
        summary="Enable or disable a rebate account.",
        description="Enabling one disables the others, so payouts always have one target. Disabling the only "
        "enabled one is allowed: payouts then wait until one is enabled. Setting what is set changes nothing.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        rebate_account = services.rebate_account_set_enabled(
            user=request.user, trading_account_id=body["id"], enabled=body["enabled"]
        )
        return Response(self.OutputSerializer(rebate_account).data)
