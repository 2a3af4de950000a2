"""client.withdrawal.create_request / list_history / check_pending_request and
client.trading_account.list_balances (the payout-account and list_channels operations are in `funds.api`).

Every operation is the portal user's (clients and IBs; staff get 403 `not_a_portal_user`). Someone
else's trading account or payout account is 404, like an unknown one. Amounts are strings at their
currency's precision.

Withdrawal statuses: `pending` (waiting for approval) → `approved` (waiting for a second approval
when above the company's threshold, then for payment) → `paid`; or `rejected` (with `reason`),
`cancelled` (by the client while pending) or `failed` (the platform refused to take the money, or the
payment could not be made). The money leaves the trading account when the request is made and comes
back when it is rejected, cancelled or failed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from clients.trading import selectors as trading_selectors
from crm.api.languages import localized, request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import X_LANGUAGE, page_of
from crm.api.views import OperationView
from crm.configuration.models import FundingMethod
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from funds.api import PayoutDetailsInputSerializer
from funds.models import INFO_FIELDS, RATE_DECIMAL_PLACES
from funds.money import AmountField, format_amount, format_decimal
from funds.payout_info import BankTransferInfoSerializer, CryptocurrencyInfoSerializer, InternationalWireInfoSerializer
from funds.withdrawals import selectors, services
from funds.withdrawals.models import Usage, Withdrawal

MAX_ID = 2**63 - 1
RATE_PATTERN = re.compile(r"^\d+(\.\d+)?$")

PORTAL_REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(description="`not_a_portal_user`: staff have no portal."),
}
STATUS_HELP = "pending, approved, paid, rejected, cancelled or failed (see the tag's description)."


class ClientPortalView(OperationView):
    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.CLIENT)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d+(\.\d+)?$",
        "example": "7.2",
        "description": f"A positive decimal as a string, at most {RATE_DECIMAL_PLACES} decimal places.",
    }
)
class RateField(serializers.Field):
    """A rate as a JSON string, e.g. "7.2"; never a float."""

    default_error_messages = {
        "invalid": gettext_lazy('Give the rate as a string of digits, e.g. "7.2".'),
        "not_positive": gettext_lazy("The rate must be greater than zero."),
        "max_decimal_places": gettext_lazy("The rate has more than {places} decimal places."),
    }

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data).strip()
        if not RATE_PATTERN.match(text) or len(text) > 40:
            self.fail("invalid")
        try:
            rate = Decimal(text)
        except InvalidOperation:
            self.fail("invalid")
        if rate <= 0:
            self.fail("not_positive")
        if max(0, -rate.normalize().as_tuple().exponent) > RATE_DECIMAL_PLACES:
            self.fail("max_decimal_places", places=RATE_DECIMAL_PLACES)
        return rate

    def to_representation(self, value) -> str:
        return format_decimal(value)


class HistoryQuerySerializer(PageQuerySerializer):
    start_time = serializers.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM:SS, company time zone.")
    end_time = serializers.DateTimeField(required=False, help_text="YYYY-MM-DD HH:MM:SS, company time zone.")

    def validate(self, data):
        if "start_time" in data and "end_time" in data and data["start_time"] > data["end_time"]:
            raise serializers.ValidationError({"end_time": [_("The end must not be before the start.")]})
        return data


HISTORY_PARAMETERS = [
    OpenApiParameter("start_time", str, description="Requested at or after (YYYY-MM-DD HH:MM:SS)."),
    OpenApiParameter("end_time", str, description="Requested at or before (YYYY-MM-DD HH:MM:SS)."),
    *PAGE_PARAMETERS,
    X_LANGUAGE,
]


class WithdrawalSerializer(serializers.Serializer):
    """A withdrawal as its client sees it. Only the `*_info` of its `method` is set; the others are null."""

    id = serializers.IntegerField()
    order_number = serializers.CharField(help_text="e.g. W20261123482913.")
    status = serializers.ChoiceField(choices=Withdrawal.Status.choices, help_text=STATUS_HELP)
    trading_account_id = serializers.IntegerField()
    login = serializers.IntegerField(source="trading_account.login", help_text="The trading account's login.")
    remittance_id = serializers.IntegerField(source="channel_id", help_text="The channel (remittance method).")
    remittance_name = serializers.SerializerMethodField(help_text="The channel's name in the request's language.")
    method = serializers.ChoiceField(choices=FundingMethod.choices)
    account_currency = serializers.CharField(source="account_currency.code", help_text="The trading account's.")
    withdrawal_amount = AmountField(
        currency_field="account_currency", help_text="Taken off the trading account, in `account_currency`."
    )
    currency = serializers.CharField(source="currency.code", help_text="The payout currency.")
    exchange_rate = RateField(help_text="1 `account_currency` = exchange_rate `currency`.")
    fee = AmountField(currency_field="currency", allow_zero=True, help_text="The channel's fee, in `currency`.")
    remittance_amount = AmountField(
        currency_field="currency", help_text="What you receive: withdrawal_amount × exchange_rate − fee."
    )
    payout_account_id = serializers.IntegerField(allow_null=True, help_text="The payout account used, if any.")
    bank_transfer_info = serializers.SerializerMethodField()
    international_wire_info = serializers.SerializerMethodField()
    cryptocurrency_info = serializers.SerializerMethodField()
    remark = serializers.CharField()
    reason = serializers.CharField(help_text='Why it was rejected or failed; "" otherwise.')
    payment_reference = serializers.CharField(help_text='The payment\'s reference once paid; "" before.')
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True, help_text="When it was (first) approved or rejected.")
    paid_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True, help_text="When it was rejected, cancelled or failed.")

    def get_remittance_name(self, withdrawal: Withdrawal) -> str:
        return localized(withdrawal.channel.name_i18n, request_language())

    def _info(self, withdrawal: Withdrawal, method: str) -> dict | None:
        return withdrawal.payout_details if withdrawal.method == method else None

    @extend_schema_field(BankTransferInfoSerializer(allow_null=True))
    def get_bank_transfer_info(self, withdrawal: Withdrawal) -> dict | None:
        return self._info(withdrawal, FundingMethod.BANK_TRANSFER)

    @extend_schema_field(InternationalWireInfoSerializer(allow_null=True))
    def get_international_wire_info(self, withdrawal: Withdrawal) -> dict | None:
        return self._info(withdrawal, FundingMethod.INTERNATIONAL_WIRE_TRANSFER)

    @extend_schema_field(CryptocurrencyInfoSerializer(allow_null=True))
    def get_cryptocurrency_info(self, withdrawal: Withdrawal) -> dict | None:
        return self._info(withdrawal, FundingMethod.CRYPTOCURRENCY)


# --- create_request -----------------------------------------------------------------------------------


class WithdrawalCreateRequestApi(ClientPortalView):
    operation_id = "client.withdrawal.create_request"
    parser_classes = [JSONParser]

    class InputSerializer(PayoutDetailsInputSerializer):
        currency = serializers.CharField(max_length=10, help_text="The payout currency, one the channel pays out.")
        email_code = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=16,
            help_text="The code e-mailed for scene `withdrawal`; required when the company asks for one.",
        )
        exchange_rate = RateField(help_text="The rate you were shown: 1 account currency = rate `currency`.")
        fee = AmountField(
            currency_field="currency", allow_zero=True, help_text="The fee you were shown, in `currency`."
        )
        method = serializers.ChoiceField(choices=FundingMethod.choices, help_text="The channel's method.")
        remark = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
        remittance_amount = AmountField(
            currency_field="currency", help_text="What you were shown you receive, in `currency`."
        )
        remittance_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="A channel from list_channels open for withdrawals."
        )
        trading_account_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="One of your live trading accounts."
        )
        withdrawal_amount = AmountField(help_text="To take off the trading account, in its currency.")
        payout_account_id = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            max_value=MAX_ID,
            help_text="Beyond the spec: pay to this payout account of yours instead of giving the `*_info` details.",
        )

    class OutputSerializer(WithdrawalSerializer):
        pass

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                description="`invalid_input` (fields, e.g. `bank_transfer_info.account_number`), "
                "`currency_not_supported`, `amount_below_minimum` / `amount_above_maximum` / `amount_not_above_fee` "
                "(fields.withdrawal_amount), `insufficient_free_margin` (with `available`), "
                "`account_usage_not_allowed`, `email_code_required` / `email_code_invalid` / `email_code_expired`."
            ),
            **PORTAL_REFUSALS,
            404: OpenApiResponse(
                description="`trading_account_not_found`, `channel_not_found`, `currency_not_found`, "
                "`exchange_rate_not_found`, `payout_account_not_found`."
            ),
            409: OpenApiResponse(
                description="`quote_changed`: fee, exchange_rate or remittance_amount is not what the server "
                "computes now; `fields` hold the fresh values of all three. `trading_account_is_demo`, "
                "`trading_account_disabled`."
            ),
            429: OpenApiResponse(description="`email_code_too_many_attempts`."),
            503: OpenApiResponse(description="`platform_unavailable`: the account's free margin could not be read."),
        },
        parameters=[X_LANGUAGE],
        summary="Create a withdrawal request.",
        description="Takes `withdrawal_amount` off the trading account at once (at most its free margin less its "
        "credit, and less what other requests are taking) and waits for the broker's approval. Give the bank "
        "account or wallet in the `*_info` object of the channel's method (`bank_transfer_info`, "
        "`international_wire_info`, `cryptocurrency_info`), or `payout_account_id`. The fee, exchange_rate and "
        "remittance_amount you were shown are checked against the server's.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        withdrawal = services.withdrawal_request(
            user=request.user,
            trading_account_id=body["trading_account_id"],
            channel_id=body["remittance_id"],
            method=body["method"],
            currency=body["currency"],
            withdrawal_amount=body["withdrawal_amount"],
            fee=body["fee"],
            exchange_rate=body["exchange_rate"],
            remittance_amount=body["remittance_amount"],
            payout_details={field: body.get(field) for field in INFO_FIELDS.values()},
            payout_account_id=body.get("payout_account_id"),
            remark=body["remark"],
            email_code=body.get("email_code"),
        )
        return Response(self.OutputSerializer(withdrawal).data)


# --- list_history / check_pending_request -------------------------------------------------------------


class WithdrawalListHistoryApi(ClientPortalView):
    operation_id = "client.withdrawal.list_history"

    @extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={
            200: page_of(WithdrawalSerializer),
            400: OpenApiResponse(description="`invalid_input`."),
            **PORTAL_REFUSALS,
        },
        summary="Get the withdrawal history (paginated).",
        description="Your withdrawals in every status, newest first.",
    )
    def get(self, request):
        query = self.query(HistoryQuerySerializer, request)
        withdrawals = selectors.withdrawal_history(
            user=request.user, start_time=query.get("start_time"), end_time=query.get("end_time")
        )
        return Response(
            paginate(withdrawals, page=query["page"], size=query["size"], serializer_class=WithdrawalSerializer)
        )


class WithdrawalCheckPendingRequestApi(ClientPortalView):
    operation_id = "client.withdrawal.check_pending_request"

    class OutputSerializer(serializers.Serializer):
        has_pending = serializers.BooleanField(
            help_text="Whether one of your withdrawals waits for the broker: approval, second approval or payment."
        )

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: OutputSerializer, **PORTAL_REFUSALS},
        summary="Check whether the current user has a withdrawal request pending review.",
    )
    def get(self, request):
        return Response({"has_pending": selectors.withdrawal_has_pending(user=request.user)})


# --- client.trading_account.list_balances ------------------------------------------------------------------


class UsageListField(serializers.ListField):
    """`type=normal&type=withdrawal_only`, `type[]=normal&type[]=withdrawal_only` or `type=normal,withdrawal_only`."""

    child = serializers.ChoiceField(choices=Usage.choices)

    def get_value(self, dictionary):
        brackets = self.field_name + "[]"
        if hasattr(dictionary, "getlist") and not dictionary.getlist(self.field_name) and dictionary.getlist(brackets):
            values = dictionary.getlist(brackets)
        else:
            values = super().get_value(dictionary)
        if isinstance(values, list):
            return [part.strip() for value in values for part in str(value).split(",") if part.strip()]
        return values


class BalanceSerializer(serializers.Serializer):
    """A live trading account with the figures of its snapshot (read from the platform in the background, as of
    `state_refreshed_at`); the figures are null before the first reading (`is_available` false)."""

    trading_account_id = serializers.IntegerField(source="account.pk")
    login = serializers.IntegerField(source="account.login")
    platform = serializers.CharField(source="account.server.platform", help_text="MT4 or MT5.")
    account_type_id = serializers.IntegerField(source="account.account_type_id")
    account_type_name = serializers.SerializerMethodField(help_text="In the request's language.")
    usage = serializers.ChoiceField(choices=Usage.choices, help_text="What the account's type may be used for.")
    currency = serializers.CharField(source="account.currency")
    leverage = serializers.IntegerField(source="account.leverage")
    is_available = serializers.SerializerMethodField(
        help_text="False before the figures were first read from the platform: they are null then."
    )
    balance = serializers.SerializerMethodField()
    credit = serializers.SerializerMethodField(help_text="The broker's credit (bonus); never withdrawable.")
    equity = serializers.SerializerMethodField()
    margin = serializers.SerializerMethodField()
    free_margin = serializers.SerializerMethodField()
    on_hold = serializers.SerializerMethodField(
        help_text="Requested withdrawals and transfers the platform has not taken yet."
    )
    withdrawable = serializers.SerializerMethodField(
        help_text="What may be withdrawn or transferred now: min(balance, free_margin − credit) − on_hold, at least 0."
    )
    state_refreshed_at = serializers.DateTimeField(
        source="account.state_refreshed_at",
        allow_null=True,
        help_text="When the figures were read from the platform; null before the first reading.",
    )
    state_age_seconds = serializers.SerializerMethodField(
        help_text="Seconds since `state_refreshed_at`; null before the first reading."
    )

    def get_account_type_name(self, row) -> str:
        return row.account.account_type.name(request_language())

    def get_is_available(self, row) -> bool:
        return row.state is not None

    def get_state_age_seconds(self, row) -> int | None:
        return trading_selectors.state_age_seconds(row.account)

    def _figure(self, row, name: str) -> str | None:
        return None if row.state is None else format_amount(getattr(row.state, name), row.currency)

    @extend_schema_field({"type": "string", "nullable": True, "example": "1000.00"})
    def get_balance(self, row) -> str | None:
        return self._figure(row, "balance")

    @extend_schema_field({"type": "string", "nullable": True, "example": "0.00"})
    def get_credit(self, row) -> str | None:
        return self._figure(row, "credit")

    @extend_schema_field({"type": "string", "nullable": True, "example": "1000.00"})
    def get_equity(self, row) -> str | None:
        return self._figure(row, "equity")

    @extend_schema_field({"type": "string", "nullable": True, "example": "0.00"})
    def get_margin(self, row) -> str | None:
        return self._figure(row, "margin")

    @extend_schema_field({"type": "string", "nullable": True, "example": "1000.00"})
    def get_free_margin(self, row) -> str | None:
        return self._figure(row, "free_margin")

    @extend_schema_field({"type": "string", "example": "0.00"})
    def get_on_hold(self, row) -> str:
        return format_amount(row.on_hold, row.currency)

    @extend_schema_field({"type": "string", "nullable": True, "example": "1000.00"})
    def get_withdrawable(self, row) -> str | None:
        value = row.withdrawable
        return None if value is None else format_amount(value, row.currency)


class TradingAccountListBalancesApi(ClientPortalView):
    operation_id = "client.trading_account.list_balances"

    class QuerySerializer(serializers.Serializer):
        type = UsageListField(allow_empty=False, help_text="Account usages to list.")

    class OutputSerializer(serializers.Serializer):
        list = BalanceSerializer(many=True)
        total = serializers.IntegerField()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "enum": list(Usage.values)}},
                required=True,
                explode=True,
                description="Usages of the accounts' types: deposit_only, withdrawal_only, normal (repeat the "
                "parameter, or separate with commas). For deposits pass deposit_only and normal, for withdrawals "
                "withdrawal_only and normal.",
            ),
            X_LANGUAGE,
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="`invalid_input`: `type` missing or unknown."),
            **PORTAL_REFUSALS,
        },
        summary="Get the balances of your trading accounts, by account usage.",
        description="Your active live accounts whose type has one of the usages (a type staff did not mark is "
        "`normal`), newest first, with the balance, credit, equity, margin and free margin of the snapshot the CRM "
        "keeps (`state_refreshed_at`, `state_age_seconds`; no platform call per account), and what may be "
        "withdrawn. Amounts are strings in the account's currency; a withdrawal checks the free margin with the "
        "platform itself.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        rows = selectors.trading_account_balances(user=request.user, usages=query["type"])
        return Response({"list": BalanceSerializer(rows, many=True).data, "total": len(rows)})
