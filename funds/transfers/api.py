"""client.transfer.create_request / list_history: moving money between the signed-in client's own trading
accounts.

Every operation is the portal user's (clients and IBs; staff get 403 `not_a_portal_user`). Someone
else's trading account is 404, like an unknown one. Amounts are strings at their currency's
precision.

Statuses: `pending` (waiting for the broker's approval; transfers worth less than the company's
amount are approved at once) → `approved` (the money is moving) → `completed`; or `rejected` (with
`reason`) or `failed` (the platform refused; the money went back to the source). The money leaves the
source when the request is made.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from crm.api.pagination import paginate
from crm.api.schema import X_LANGUAGE, page_of
from funds.money import AmountField
from funds.transfers import selectors, services
from funds.transfers.models import Transfer
from funds.withdrawals.api import (
    HISTORY_PARAMETERS,
    PORTAL_REFUSALS,
    ClientPortalView,
    HistoryQuerySerializer,
    RateField,
)

MAX_ID = 2**63 - 1
STATUS_HELP = "pending, approved, completed, rejected or failed (see the tag's description)."


class TransferSerializer(serializers.Serializer):
    """A transfer as its client sees it."""

    id = serializers.IntegerField(help_text="The `audit_id` create_request answered.")
    order_number = serializers.CharField(help_text="e.g. T20261123482913.")
    status = serializers.ChoiceField(choices=Transfer.Status.choices, help_text=STATUS_HELP)
    source_trading_account_id = serializers.IntegerField(source="source_id")
    source_login = serializers.IntegerField(source="source.login")
    target_trading_account_id = serializers.IntegerField(source="target_id")
    target_login = serializers.IntegerField(source="target.login")
    currency = serializers.CharField(source="source_currency.code", help_text="The source account's currency.")
    amount = AmountField(currency_field="source_currency", help_text="Taken off the source, in `currency`.")
    rate = RateField(help_text="1 `currency` = rate `target_currency`, at the time of the request.")
    target_currency = serializers.CharField(source="target_currency.code")
    target_amount = AmountField(currency_field="target_currency", help_text="Credited to the target.")
    remark = serializers.CharField()
    reason = serializers.CharField(help_text='Why it was rejected or failed; "" otherwise.')
    is_auto_approved = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True, help_text="When it was rejected or failed.")


class TransferCreateRequestApi(ClientPortalView):
    operation_id = "client.transfer.create_request"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        amount = AmountField(help_text="To move, in the source account's currency.")
        email_code = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=16,
            help_text="The code e-mailed for scene `transfer`; required when the company asks for one.",
        )
        remark = serializers.CharField(allow_blank=True, max_length=500, help_text='A note; "" for none.')
        source_trading_account_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="One of your live accounts, to take the money from."
        )
        target_trading_account_id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="Another of your live accounts, to credit."
        )

    class OutputSerializer(serializers.Serializer):
        audit_id = serializers.IntegerField(source="pk", help_text="The transfer's id.")
        audit_status = serializers.ChoiceField(source="status", choices=Transfer.Status.choices, help_text=STATUS_HELP)
        order_number = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                description="`invalid_input`, `same_account`, `amount_too_small`, `account_usage_not_allowed`, "
                "`insufficient_free_margin` (with `available`), `email_code_required` / `email_code_invalid` / "
                "`email_code_expired`."
            ),
            **PORTAL_REFUSALS,
            404: OpenApiResponse(
                description="`trading_account_not_found` (fields name which), `exchange_rate_not_found`."
            ),
            409: OpenApiResponse(description="`trading_account_is_demo`, `trading_account_disabled`."),
            429: OpenApiResponse(description="`email_code_too_many_attempts`."),
            503: OpenApiResponse(description="`platform_unavailable`: the source's free margin could not be read."),
        },
        parameters=[X_LANGUAGE],
        summary="Create an internal transfer request between two of your trading accounts.",
        description="Takes `amount` off the source at once (at most its free margin less its credit, and less what "
        "other requests are taking) and credits the target, converted at the current rate, once approved.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        transfer = services.transfer_request(
            user=request.user,
            source_id=body["source_trading_account_id"],
            target_id=body["target_trading_account_id"],
            amount=body["amount"],
            remark=body["remark"],
            email_code=body.get("email_code"),
        )
        return Response(self.OutputSerializer(transfer).data)


class TransferListHistoryApi(ClientPortalView):
    operation_id = "client.transfer.list_history"

    @extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={
            200: page_of(TransferSerializer),
            400: OpenApiResponse(description="`invalid_input`."),
            **PORTAL_REFUSALS,
        },
        summary="Get your transfer history (paginated).",
        description="Your transfers in every status, newest first.",
    )
    def get(self, request):
        query = self.query(HistoryQuerySerializer, request)
        transfers = selectors.transfer_history(
            user=request.user, start_time=query.get("start_time"), end_time=query.get("end_time")
        )
        return Response(
            paginate(transfers, page=query["page"], size=query["size"], serializer_class=TransferSerializer)
        )
