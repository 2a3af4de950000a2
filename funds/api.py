"""client.funding.*, client.deposit.list_channels, client.withdrawal.list_channels and the payout-account
operations of client.withdrawal.*.

Every operation needs a signed-in portal user (clients, and IBs, who have the client portal too);
staff are refused (403 `not_a_portal_user`). A client sees only the channels open to them and only
their own payout accounts; anything else is 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from crm.api.fields import I18nTextsField
from crm.api.languages import localized, request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, paginate
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE, page_of
from crm.api.views import OperationView
from crm.configuration.models import FundingMethod
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from funds import selectors, services
from funds.models import INFO_FIELDS, Direction
from funds.money import AmountField, format_decimal
from funds.payout_info import (
    BankTransferInfoSerializer,
    CryptocurrencyInfoSerializer,
    InternationalWireInfoSerializer,
    invalid_input,
)

MAX_ID = 2**63 - 1

REFUSALS = {
    400: OpenApiResponse(description="`invalid_input`, with `fields`."),
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(description="`not_a_portal_user`: staff have no client portal."),
}


class ClientFundsView(OperationView):
    """An operation of the client portal: any signed-in portal user, not staff."""

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.CLIENT)


class LocalizedTextField(serializers.CharField):
    """One text of a `{"zh-CN": …, "en-US": …}` field, in the language this request is answered in."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return localized(value, request_language())


@extend_schema_field({"type": "string", "example": "1.5", "description": "A decimal as a string, e.g. 7.2."})
class DecimalTextField(serializers.Field):
    """A rate or percentage as a string without trailing zeros."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return format_decimal(value)


# --- networks, channels, currencies ---------------------------------------------------------------


class FundingNetworkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="e.g. TRC20, ERC20; what payout accounts name as `network`.")
    name = serializers.CharField(help_text="e.g. TRC-20 (Tron).")
    confirmations = serializers.IntegerField(help_text="Blocks before a deposit counts as received.")
    address_pattern = serializers.CharField(help_text="Regular expression a wallet address matches in full.")
    address_example = serializers.CharField(help_text='An address in this format; "" when none is set.')


class ChannelCurrencySerializer(serializers.Serializer):
    """A currency a channel takes one way, with its limits and fee."""

    currency = serializers.CharField(source="currency.code", help_text="e.g. USD, USDT.")
    currency_name = serializers.CharField(source="currency.name")
    symbol = serializers.CharField(source="currency.symbol")
    precision = serializers.IntegerField(source="currency.precision", help_text="Decimal places of its amounts.")
    min_amount = AmountField(currency_field="currency", help_text="Smallest amount (inclusive).")
    max_amount = AmountField(
        currency_field="currency", allow_null=True, help_text="Largest amount (inclusive); null: no limit."
    )
    fixed_fee = AmountField(currency_field="currency", allow_zero=True, help_text="Charged on every operation.")
    percent_fee = DecimalTextField(help_text='Percent of the amount, e.g. "1.5" is 1.5 %.')


class ChannelSerializer(serializers.Serializer):
    """A remittance method. The fee of an amount is `fixed_fee` + amount × `percent_fee` / 100, rounded
    half up to the currency's precision."""

    id = serializers.IntegerField(help_text="The `remittance_id` of the other operations.")
    method = serializers.ChoiceField(choices=FundingMethod.choices)
    name = LocalizedTextField(source="name_i18n", help_text="In the request's language.")
    name_i18n = I18nTextsField()
    provider = serializers.CharField(help_text='"manual" (staff check the receipt) or an online payment provider.')
    network = FundingNetworkSerializer(allow_null=True, help_text="Cryptocurrency channels: the network; else null.")
    instructions = LocalizedTextField(source="instructions_i18n", help_text="In the request's language.")
    instructions_i18n = I18nTextsField()
    currencies = ChannelCurrencySerializer(source="offered_currencies", many=True)
    position = serializers.IntegerField(help_text="Lower first.")


class DepositChannelSerializer(ChannelSerializer):
    pay_data = serializers.DictField(
        child=serializers.CharField(),
        help_text="Where to pay: e.g. bank_name, account_name, account_number, swift_code, wallet_address.",
    )


class WithdrawalChannelSerializer(ChannelSerializer):
    pass


class NetworkListApi(ClientFundsView):
    operation_id = "client.funding.list_usdt_networks"

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(FundingNetworkSerializer), **REFUSALS},
        summary="Get the available USDT (cryptocurrency) networks.",
        description="Enabled networks that carry USDT, in the broker's order.",
    )
    def get(self, request):
        page = self.query(PageQuerySerializer, request)
        return Response(paginate(selectors.crypto_networks_for(), serializer_class=FundingNetworkSerializer, **page))


class DepositChannelListApi(ClientFundsView):
    operation_id = "client.deposit.list_channels"
    direction = Direction.DEPOSIT
    item_serializer: type[ChannelSerializer] = DepositChannelSerializer

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, X_LANGUAGE],
        responses={200: page_of(DepositChannelSerializer), **REFUSALS},
        summary="Get the available deposit channels (paginated).",
        description="Enabled channels open for deposits that serve the client's country and segments, each with "
        "the currencies it takes for deposits, their limits and fees, and where to pay (`pay_data`).",
    )
    def get(self, request):
        page = self.query(PageQuerySerializer, request)
        channels = selectors.channels_open_to(user=request.user, direction=self.direction)
        return Response(paginate(channels, serializer_class=self.item_serializer, **page))


class WithdrawalChannelListApi(DepositChannelListApi):
    operation_id = "client.withdrawal.list_channels"
    direction = Direction.WITHDRAWAL
    item_serializer = WithdrawalChannelSerializer

    @extend_schema(
        parameters=[*PAGE_PARAMETERS, X_LANGUAGE],
        responses={200: page_of(WithdrawalChannelSerializer), **REFUSALS},
        summary="Get the available withdrawal channels (paginated).",
        description="Enabled channels open for withdrawals that serve the client's country and segments, each with "
        "the currencies it pays out, their limits and fees.",
    )
    def get(self, request):
        return super().get(request)


class FundingCurrencyLimitsSerializer(serializers.Serializer):
    min_amount = AmountField(currency_field="currency", help_text="Smallest amount (inclusive).")
    max_amount = AmountField(currency_field="currency", allow_null=True, help_text="Largest (inclusive); null: none.")
    fixed_fee = AmountField(currency_field="currency", allow_zero=True)
    percent_fee = DecimalTextField(help_text='Percent of the amount, e.g. "1.5" is 1.5 %.')


class FundingCurrencySerializer(serializers.Serializer):
    currency = serializers.CharField(source="currency.code", help_text="e.g. USD.")
    name = serializers.CharField(source="currency.name")
    symbol = serializers.CharField(source="currency.symbol")
    precision = serializers.IntegerField(source="currency.precision", help_text="Decimal places of its amounts.")
    deposit = FundingCurrencyLimitsSerializer(
        allow_null=True, help_text="Limits and fee of deposits; null: not for deposits."
    )
    withdrawal = FundingCurrencyLimitsSerializer(
        allow_null=True, help_text="Limits and fee of withdrawals; null: not for withdrawals."
    )


class ChannelCurrencyListApi(ClientFundsView):
    operation_id = "client.funding.list_currencies"

    class QuerySerializer(PageQuerySerializer):
        remittance_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        parameters=[
            OpenApiParameter("remittance_id", int, required=True, description="The channel's id (remittance method)."),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: page_of(FundingCurrencySerializer),
            **REFUSALS,
            404: OpenApiResponse(description="`channel_not_found`: no channel open to you has this id."),
        },
        summary="Get the available currencies for a remittance method.",
        description="The currencies the channel takes, each with the limits and fee of deposits and of "
        "withdrawals (null for a way the channel is closed or the currency is not taken).",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        channel = selectors.channel_get_open(user=request.user, channel_id=query["remittance_id"])
        table = selectors.channel_currency_table(channel=channel)
        page, size = query["page"], query["size"]
        rows = table[(page - 1) * size : page * size]
        return Response({"list": FundingCurrencySerializer(rows, many=True).data, "total": len(table)})


# --- exchange rates -------------------------------------------------------------------------------


class FundingExchangeRateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_currency = serializers.CharField(source="from_currency.code")
    to_currency = serializers.CharField(source="to_currency.code")
    exchange_rate = DecimalTextField(source="rate", help_text="1 from_currency = exchange_rate to_currency.")
    updated_at = serializers.DateTimeField()


class ExchangeRateListApi(ClientFundsView):
    operation_id = "client.funding.list_exchange_rates"

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(FundingExchangeRateSerializer), **REFUSALS},
        summary="Get the available exchange rates (paginated).",
        description="The pairs staff set, between enabled currencies. get_exchange_rate also answers the "
        "reverse of each pair.",
    )
    def get(self, request):
        page = self.query(PageQuerySerializer, request)
        return Response(
            paginate(selectors.exchange_rates_listed(), serializer_class=FundingExchangeRateSerializer, **page)
        )


class ExchangeRateApi(ClientFundsView):
    operation_id = "client.funding.get_exchange_rate"

    class QuerySerializer(serializers.Serializer):
        from_currency = serializers.CharField(max_length=10)
        to_currency = serializers.CharField(max_length=10)

    class OutputSerializer(serializers.Serializer):
        exchange_rate = serializers.CharField(help_text='1 from_currency = exchange_rate to_currency, e.g. "7.2".')
        from_currency = serializers.CharField()
        to_currency = serializers.CharField()

    @extend_schema(
        parameters=[
            OpenApiParameter("from_currency", str, required=True, description="Source currency code, e.g. USD."),
            OpenApiParameter("to_currency", str, required=True, description="Target currency code, e.g. CNY."),
        ],
        responses={
            200: OutputSerializer,
            **REFUSALS,
            404: OpenApiResponse(description="`exchange_rate_not_found`: no rate either way between the two."),
        },
        summary="Get the exchange rate for a currency pair.",
        description='A currency to itself is "1". When staff set only the reverse pair, its inverse, rounded half '
        "up to 10 decimals. Codes in any case.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        source, target = query["from_currency"].strip().upper(), query["to_currency"].strip().upper()
        rate = selectors.exchange_rate_get(from_currency=source, to_currency=target)
        return Response(
            self.OutputSerializer(
                {"exchange_rate": format_decimal(rate), "from_currency": source, "to_currency": target}
            ).data
        )


# --- payout accounts ------------------------------------------------------------------------------


class PayoutAccountDetailSerializer(serializers.Serializer):
    """A payout account; only the details of its own `payment_method` are set, the other two are null."""

    id = serializers.IntegerField()
    payment_method = serializers.ChoiceField(choices=FundingMethod.choices)
    account_holder_name = serializers.CharField(help_text="From the details (a wallet: the owner's name if none).")
    bank_transfer_info = BankTransferInfoSerializer(allow_null=True)
    international_wire_info = InternationalWireInfoSerializer(allow_null=True)
    cryptocurrency_info = CryptocurrencyInfoSerializer(allow_null=True)
    is_default = serializers.BooleanField(help_text="The account withdrawals of this method go to by default.")
    remark = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def details_input(serializer_class: type[serializers.Serializer]) -> type[serializers.DictField]:
    """The details as a raw object, checked by `payout_info_clean` and documented as `serializer_class`."""
    return extend_schema_field(serializer_class)(
        type(f"{serializer_class.__name__}Input", (serializers.DictField,), {"__module__": __name__})
    )


BankTransferInfoInput = details_input(BankTransferInfoSerializer)
InternationalWireInfoInput = details_input(InternationalWireInfoSerializer)
CryptocurrencyInfoInput = details_input(CryptocurrencyInfoSerializer)


class PayoutDetailsInputSerializer(serializers.Serializer):
    bank_transfer_info = BankTransferInfoInput(
        required=False, allow_null=True, help_text="bank_transfer accounts: the bank account."
    )
    international_wire_info = InternationalWireInfoInput(
        required=False, allow_null=True, help_text="international_wire_transfer accounts: the bank account."
    )
    cryptocurrency_info = CryptocurrencyInfoInput(
        required=False, allow_null=True, help_text="cryptocurrency accounts: the network and wallet."
    )


def details_of(payment_method: str, body: dict) -> dict | None:
    """The details of `payment_method` in `body`; those of another method must be absent, null or {}."""
    own = INFO_FIELDS[payment_method]
    others = [field for field in INFO_FIELDS.values() if field != own and body.get(field)]
    if others:
        message = _("A %(method)s account takes %(field)s only.") % {
            "method": FundingMethod(payment_method).label,
            "field": own,
        }
        raise invalid_input({field: [message] for field in others})
    return body.get(own) or None


class PayoutAccountCreateApi(ClientFundsView):
    operation_id = "client.withdrawal.create_payout_account"
    parser_classes = [JSONParser]

    class InputSerializer(PayoutDetailsInputSerializer):
        payment_method = serializers.ChoiceField(
            choices=FundingMethod.choices, help_text="Which details to give: the field named after it."
        )
        remark = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        is_default = serializers.BooleanField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Beyond the spec. Omitted: the default when it is the first account of its method.",
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **REFUSALS},
        summary="Create a payout (receiving) account for withdrawals.",
        description="Give the details of `payment_method` (`bank_transfer_info`, `international_wire_info` or "
        "`cryptocurrency_info`); the other two must be absent, null or {}. Wallet addresses are checked "
        "against the network's format. Errors name fields like `bank_transfer_info.account_number`.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        method = body["payment_method"]
        account = services.payout_account_create(
            owner=request.user,
            payment_method=method,
            info=details_of(method, body) or {},
            remark=body["remark"],
            is_default=body["is_default"],
        )
        return Response(self.OutputSerializer({"id": account.pk}).data)


ACCOUNT_NOT_FOUND = {404: OpenApiResponse(description="`payout_account_not_found`: none of yours has this id.")}


class PayoutAccountUpdateApi(ClientFundsView):
    operation_id = "client.withdrawal.update_payout_account"
    parser_classes = [JSONParser]

    class InputSerializer(PayoutDetailsInputSerializer):
        id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        is_default = serializers.BooleanField(
            required=False, allow_null=True, help_text="true: make it the default; false: not; omitted: unchanged."
        )
        remark = serializers.CharField(max_length=255, required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: EMPTY_RESPONSE, **REFUSALS, **ACCOUNT_NOT_FOUND},
        summary="Update a payout (receiving) account.",
        description="The details of the account's method, when given (not null or {}), replace the old ones whole. "
        "Making an account the default takes it from the method's previous default. The payment method itself "
        "cannot change.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        account = selectors.payout_account_get(owner=request.user, account_id=body["id"])
        services.payout_account_update(
            owner=request.user,
            account_id=account.pk,
            info=details_of(account.payment_method, body),
            is_default=body.get("is_default"),
            remark=body.get("remark"),
        )
        return Response({})


class PayoutAccountDeleteApi(ClientFundsView):
    operation_id = "client.withdrawal.delete_payout_account"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        request=InputSerializer,
        responses={200: EMPTY_RESPONSE, **REFUSALS, **ACCOUNT_NOT_FOUND},
        summary="Delete a payout (receiving) account.",
        description="It disappears from the client's lists; past withdrawals keep showing where they went.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        services.payout_account_delete(owner=request.user, account_id=body["id"])
        return Response({})


class PayoutAccountApi(ClientFundsView):
    operation_id = "client.withdrawal.get_payout_account"

    class QuerySerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, required=True, description="The payout account's id.")],
        responses={200: PayoutAccountDetailSerializer, **REFUSALS, **ACCOUNT_NOT_FOUND},
        summary="Get a payout (receiving) account's details.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        account = selectors.payout_account_get(owner=request.user, account_id=query["id"])
        return Response(PayoutAccountDetailSerializer(account).data)


class PayoutAccountGroupsSerializer(serializers.Serializer):
    bank_transfer = PayoutAccountDetailSerializer(many=True)
    international_wire_transfer = PayoutAccountDetailSerializer(many=True)
    cryptocurrency = PayoutAccountDetailSerializer(many=True)
    total = serializers.IntegerField(help_text="How many accounts the three lists hold together.")


class PayoutAccountListApi(ClientFundsView):
    operation_id = "client.withdrawal.list_payout_accounts"

    class QuerySerializer(serializers.Serializer):
        payment_method = serializers.ChoiceField(choices=FundingMethod.choices, required=False)
        start_time = serializers.DateTimeField(required=False)
        end_time = serializers.DateTimeField(required=False)

        def validate(self, data: dict) -> dict:
            if "start_time" in data and "end_time" in data and data["start_time"] > data["end_time"]:
                raise serializers.ValidationError({"end_time": [_("The end is before the start.")]})
            return data

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "payment_method",
                str,
                required=False,
                enum=FundingMethod.values,
                description="Only this method's accounts (the other lists are empty).",
            ),
            OpenApiParameter(
                "start_time", str, required=False, description="Created at or after (YYYY-MM-DD HH:MM:SS)."
            ),
            OpenApiParameter(
                "end_time", str, required=False, description="Created at or before (YYYY-MM-DD HH:MM:SS)."
            ),
        ],
        responses={200: PayoutAccountGroupsSerializer, **REFUSALS},
        summary="Get the payout (receiving) accounts, grouped by payment method.",
        description="Each list has the default first, then the newest. Not paginated.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        accounts = selectors.payout_accounts_of(
            owner=request.user,
            payment_method=query.get("payment_method"),
            created_from=query.get("start_time"),
            created_to=query.get("end_time"),
        )
        groups: dict[str, list] = {method: [] for method in FundingMethod.values}
        for account in accounts:
            groups[account.payment_method].append(account)
        total = sum(len(group) for group in groups.values())
        return Response(PayoutAccountGroupsSerializer({**groups, "total": total}).data)
