"""client.deposit.*: the signed-in client's deposits and demo top-ups (except list_channels, in funds).

Every operation is the portal user's (clients and IBs; staff get 403 `not_a_portal_user`). Someone
else's trading account or deposit is 404, like an unknown one. Amounts are strings at the
currency's precision; a malformed, zero, negative or too precise amount is 400 `invalid_input`
naming the field. A deposit in the wrong state for the request is 409.

Statuses: `draft` (created, not submitted) → `submitted` (receipt handed in, waiting for review) →
`approved` (being credited on the platform) → `credited`; or `rejected` (with `reason`),
`cancelled` (by the client) or `expired` (a draft not submitted in time).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from crm.api.languages import localized, request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE, page_of
from crm.api.views import OperationView
from crm.content.models import Audience
from crm.files.services import private_url
from crm.permissions.selectors import portal_audience_for
from funds.deposits import selectors, services
from funds.deposits.errors import DepositConflict, DepositErrorCode
from funds.deposits.models import Deposit
from funds.money import AmountField, format_decimal

MAX_ID = 2**63 - 1
ORDER_NUMBER_MAX_LENGTH = 32

PORTAL_REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(description="`not_a_portal_user`: staff have no portal."),
}
DEPOSIT_NOT_FOUND = OpenApiResponse(description="`deposit_not_found`: no deposit of yours has this order number.")
STATUS_HELP = "draft, submitted, approved, credited, rejected, cancelled or expired (see the tag's description)."


class ClientPortalView(OperationView):
    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.CLIENT)


class OrderNumberSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=ORDER_NUMBER_MAX_LENGTH, help_text="e.g. D20261123482913.")


@extend_schema_field(
    {"type": "string", "description": 'A private link to the receipt, valid for a few minutes; "" when none.'}
)
class ReceiptUrlField(serializers.Field):
    """A short-lived private link to the deposit's receipt; "" when none was handed in."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, deposit: Deposit) -> str:
        return private_url(stored_file=deposit.receipt) if deposit.receipt_id else ""


class StatusOutputSerializer(serializers.Serializer):
    order_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Deposit.Status.choices, help_text=STATUS_HELP)


class DepositSerializer(serializers.Serializer):
    """A deposit as its client sees it."""

    order_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Deposit.Status.choices, help_text=STATUS_HELP)
    trading_account_id = serializers.IntegerField()
    login = serializers.IntegerField(source="trading_account.login", help_text="The trading account's login.")
    account_info = serializers.SerializerMethodField(
        help_text="The trading account, e.g. `MT5 700001 · Standard · USD`."
    )
    remittance_id = serializers.IntegerField(source="channel_id", help_text="The channel (remittance method).")
    remittance_name = serializers.SerializerMethodField(help_text="The channel's name in the request's language.")
    method = serializers.CharField(
        source="channel.method", help_text="bank_transfer, international_wire_transfer or cryptocurrency."
    )
    currency = serializers.CharField(source="currency.code", help_text="The currency paid in (the channel's).")
    deposit_amount = AmountField(currency_field="currency", help_text="What the client pays, in `currency`.")
    fee = AmountField(currency_field="currency", help_text="The channel's fee, in `currency`, taken from the amount.")
    account_currency = serializers.CharField(
        source="account_currency.code", help_text="The trading account's currency."
    )
    rate = serializers.SerializerMethodField(help_text="1 `currency` = rate `account_currency`, fixed at creation.")
    credited_amount = AmountField(
        currency_field="account_currency",
        help_text="What reaches the trading account: (deposit_amount − fee) × rate, in `account_currency`.",
    )
    remark = serializers.CharField()
    reason = serializers.CharField(help_text='Why it was rejected; "" otherwise.')
    receipt_url = ReceiptUrlField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True, help_text="When it was approved or rejected.")
    credited_at = serializers.DateTimeField(allow_null=True)

    def get_account_info(self, deposit: Deposit) -> str:
        return selectors.account_info(deposit.trading_account)

    def get_remittance_name(self, deposit: Deposit) -> str:
        return localized(deposit.channel.name_i18n, request_language())

    def get_rate(self, deposit: Deposit) -> str:
        return format_decimal(deposit.rate)


class PaymentSerializer(serializers.Serializer):
    pay_type = serializers.CharField(
        help_text="`manual`: pay with the instructions in `pay_data`, then submit the receipt; "
        "`redirect`: open `pay_url` to pay online (the deposit is approved when the provider confirms)."
    )
    pay_url = serializers.CharField(help_text='The page to pay on; "" for manual channels.')
    pay_data = serializers.CharField(
        help_text="A JSON object as a string. Manual channels: order_number, method, amount, currency, "
        "instructions (request's language), details (the broker's bank or wallet details, by name), network "
        "(crypto). Online: order_number, amount, currency."
    )
    expires_at = serializers.DateTimeField(help_text="The draft expires if not submitted (or paid) by then.")


# --- create_draft -------------------------------------------------------------------------------------


class CreateDraftApi(ClientPortalView):
    operation_id = "client.deposit.create_draft"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        deposit_amount = AmountField(help_text="What you pay, in the channel's currency for the account.")
        remark = serializers.CharField(
            required=False, allow_blank=True, max_length=500, default="", help_text="Optional note for the broker."
        )
        remittance_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="A channel from list_channels open for deposits."
        )
        trading_account_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="One of your live trading accounts."
        )

    class OutputSerializer(DepositSerializer, PaymentSerializer):
        pass

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                description="`invalid_input` (fields), `currency_not_supported` (fields.remittance_id), "
                "`amount_below_minimum` / `amount_above_maximum` / `amount_not_above_fee` (fields.deposit_amount)."
            ),
            **PORTAL_REFUSALS,
            404: OpenApiResponse(
                description="`trading_account_not_found`, `channel_not_found` (fields.remittance_id), "
                "`exchange_rate_not_found`."
            ),
            409: OpenApiResponse(
                description="`deposit_draft_exists` (with `order_number`: the account's open draft), "
                "`trading_account_is_demo`, `trading_account_disabled`, `payment_provider_unavailable`."
            ),
        },
        parameters=[X_LANGUAGE],
        summary="Create a draft deposit request; returns the order number and payment data.",
        description="Fixes the amount, fee and rate, and says how to pay. Manual channels: pay with `pay_data`, "
        "upload the receipt and call submit_request. Online channels: open `pay_url`.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        deposit = services.deposit_draft_create(
            user=request.user,
            trading_account_id=body["trading_account_id"],
            channel_id=body["remittance_id"],
            deposit_amount=body["deposit_amount"],
            remark=body["remark"],
        )
        return Response(self.OutputSerializer(deposit).data)


# --- get_draft ------------------------------------------------------------------------------------------


class GetDraftApi(ClientPortalView):
    operation_id = "client.deposit.get_draft"

    class OutputSerializer(DepositSerializer, PaymentSerializer):
        pass

    @extend_schema(
        parameters=[
            OpenApiParameter("order_number", str, required=True, description="The draft's order number."),
            X_LANGUAGE,
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="`invalid_input`."),
            **PORTAL_REFUSALS,
            404: DEPOSIT_NOT_FOUND,
            409: OpenApiResponse(description="`deposit_not_draft`: it was already submitted or closed."),
        },
        summary="Get an unsubmitted draft deposit request.",
    )
    def get(self, request):
        query = self.query(OrderNumberSerializer, request)
        deposit = selectors.deposit_of(user=request.user, order_number=query["order_number"])
        if deposit.status != Deposit.Status.DRAFT:
            raise DepositConflict(
                code=DepositErrorCode.DEPOSIT_NOT_DRAFT, message=_("This deposit was already submitted or closed.")
            )
        return Response(self.OutputSerializer(deposit).data)


# --- submit_request / cancel_request ----------------------------------------------------------------


class SubmitRequestApi(ClientPortalView):
    operation_id = "client.deposit.submit_request"
    parser_classes = [JSONParser]

    class InputSerializer(OrderNumberSerializer):
        receipt_url = serializers.CharField(
            max_length=2000, help_text="The receipt's address from upload_file (or your direct upload to storage)."
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            200: StatusOutputSerializer,
            400: OpenApiResponse(description="`invalid_input`; `file_type_not_allowed` / `file_too_large`."),
            **PORTAL_REFUSALS,
            404: OpenApiResponse(
                description="`deposit_not_found`; `file_not_found` (fields.receipt_url): not a file of yours."
            ),
            409: OpenApiResponse(description="`deposit_not_draft`, `deposit_draft_expired`."),
        },
        parameters=[X_LANGUAGE],
        summary="Submit a deposit request (payment confirmation with receipt).",
        description="The draft, with the receipt of the payment, goes to the broker for review (`submitted`).",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        deposit = services.deposit_submit(
            user=request.user, order_number=body["order_number"], receipt_url=body["receipt_url"]
        )
        return Response(StatusOutputSerializer(deposit).data)


class CancelRequestApi(ClientPortalView):
    operation_id = "client.deposit.cancel_request"
    parser_classes = [JSONParser]

    @extend_schema(
        request=OrderNumberSerializer,
        responses={
            200: StatusOutputSerializer,
            400: OpenApiResponse(description="`invalid_input`."),
            **PORTAL_REFUSALS,
            404: DEPOSIT_NOT_FOUND,
            409: OpenApiResponse(description="`deposit_not_cancellable`: already approved, credited or closed."),
        },
        parameters=[X_LANGUAGE],
        summary="Cancel a deposit request.",
        description="A draft, or a submitted deposit the broker has not decided yet, becomes `cancelled`.",
    )
    def post(self, request):
        body = self.body(OrderNumberSerializer, request)
        deposit = services.deposit_cancel(user=request.user, order_number=body["order_number"])
        return Response(StatusOutputSerializer(deposit).data)


# --- get_pending_count / list_history -------------------------------------------------------------


class GetPendingCountApi(ClientPortalView):
    operation_id = "client.deposit.get_pending_count"

    class OutputSerializer(serializers.Serializer):
        count = serializers.IntegerField(help_text="Your submitted deposits the broker has not decided yet.")

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, X_LANGUAGE],
        responses={200: OutputSerializer, 400: OpenApiResponse(description="`invalid_input`."), **PORTAL_REFUSALS},
        summary="Get the number of unprocessed deposit requests.",
        description="`page` and `size` are accepted (the spec lists them) and change nothing.",
    )
    def get(self, request):
        self.query(PageQuerySerializer, request)
        return Response({"count": selectors.deposits_pending_count(user=request.user)})


class HistoryQuerySerializer(PageQuerySerializer):
    start_time = serializers.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM:SS, company time zone.")
    end_time = serializers.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM:SS, company time zone.")

    def validate(self, data):
        if "start_time" in data and "end_time" in data and data["start_time"] > data["end_time"]:
            raise serializers.ValidationError({"end_time": [_("The end must not be before the start.")]})
        return data


class ListHistoryApi(ClientPortalView):
    operation_id = "client.deposit.list_history"

    @extend_schema(
        parameters=[
            OpenApiParameter("start_time", str, description="Created at or after (YYYY-MM-DD HH:MM:SS)."),
            OpenApiParameter("end_time", str, description="Created at or before (YYYY-MM-DD HH:MM:SS)."),
            *PAGE_PARAMETERS,
            X_LANGUAGE,
        ],
        responses={
            200: page_of(DepositSerializer),
            400: OpenApiResponse(description="`invalid_input`."),
            **PORTAL_REFUSALS,
        },
        summary="Get the deposit history (paginated).",
        description="Your deposits in every status, newest first.",
    )
    def get(self, request):
        query = self.query(HistoryQuerySerializer, request)
        deposits = selectors.deposit_history(
            user=request.user, start_time=query.get("start_time"), end_time=query.get("end_time")
        )
        return Response(paginate(deposits, page=query["page"], size=query["size"], serializer_class=DepositSerializer))


# --- fund_demo_account ----------------------------------------------------------------------------------


class FundDemoAccountApi(ClientPortalView):
    operation_id = "client.deposit.fund_demo_account"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        amount = AmountField(help_text="Play money to add, in the account's currency.")
        trading_account_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="One of your demo accounts."
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            200: EMPTY_RESPONSE,
            400: OpenApiResponse(
                description="`invalid_input`; `amount_above_maximum` (one top-up's cap), "
                "`demo_balance_limit_exceeded` (the account's cap) — both on fields.amount."
            ),
            **PORTAL_REFUSALS,
            404: OpenApiResponse(description="`trading_account_not_found`."),
            409: OpenApiResponse(description="`trading_account_not_demo`, `trading_account_disabled`."),
            503: OpenApiResponse(description="`platform_unavailable` / `platform_timeout`: the balance was not read."),
        },
        parameters=[X_LANGUAGE],
        summary="Deposit funds into a virtual (demo) trading account.",
        description="The money reaches the platform within moments (through the outbox).",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        services.demo_account_fund(
            user=request.user, trading_account_id=body["trading_account_id"], amount=body["amount"]
        )
        return Response({})
