"""ib.dashboard.*: the IB's dashboard cards for a period, and when their figures were last refreshed.

Both read the figures `ib.dashboard.services.daily_figures_refresh` pre-aggregates (every 5 minutes),
never the raw deals, so they answer in a few indexed reads whatever the IB's size. Clients get 403
`not_an_ib`, staff 403 `not_a_portal_user`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from crm.api.schema import X_LANGUAGE
from crm.api.views import OperationView
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from ib.dashboard import selectors
from ib.dashboard.selectors import DateType
from ib.selectors import ib_profile_of

AMOUNT_HELP = "A decimal string with 2 places, in `currency`, e.g. `1250.50`."
IB_REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(description="`not_an_ib`: only IBs have the IB portal; `not_a_portal_user`: staff."),
}
DATE_TYPE_HELP = (
    "The period, in the company time zone: `today` (the default), `yesterday`, `this_week` (Monday to today), "
    "`this_month` (the 1st to today), `last_month` (the whole previous month), `custom` (`start_date` to "
    "`end_date`, both included, at most 366 days)."
)


class IbPortalView(OperationView):
    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.IB)


class PeriodSerializer(serializers.Serializer):
    date_type = serializers.ChoiceField(choices=DateType.VALUES, help_text="The `date_type` answered.")
    start_date = serializers.DateField(help_text="First day of the period (included).")
    end_date = serializers.DateField(help_text="Last day of the period (included).")


class CardsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    currency = serializers.CharField(help_text="The currency of the amounts (the IB's rebate plan's).")
    new_clients = serializers.IntegerField(help_text="Clients attributed to the IB during the period.")
    active_traders = serializers.IntegerField(
        help_text="Distinct clients of the IB with a closed deal in the period (each counted once)."
    )
    deposits = serializers.CharField(help_text="Credited deposits of the IB's clients. " + AMOUNT_HELP)
    withdrawals = serializers.CharField(help_text="Paid-out withdrawals of the IB's clients. " + AMOUNT_HELP)
    net_deposits = serializers.CharField(help_text="`deposits` − `withdrawals`. " + AMOUNT_HELP)
    lots = serializers.CharField(help_text="Lots of the IB's clients' closed deals, 2 decimals.")
    commission_earned = serializers.CharField(
        help_text="Commission lines computed for the IB in the period, every level, reversals included. " + AMOUNT_HELP
    )
    commission_paid = serializers.CharField(help_text="Rebate payouts paid to the IB in the period. " + AMOUNT_HELP)


class GetPanelDataApi(IbPortalView):
    operation_id = "ib.dashboard.get_panel_data"

    class QuerySerializer(serializers.Serializer):
        date_type = serializers.ChoiceField(choices=DateType.VALUES, required=False, help_text=DATE_TYPE_HELP)
        start_date = serializers.DateField(required=False, help_text="With `custom`: the first day (YYYY-MM-DD).")
        end_date = serializers.DateField(required=False, help_text="With `custom`: the last day (YYYY-MM-DD).")

    class OutputSerializer(serializers.Serializer):
        cards = CardsSerializer()

    @extend_schema(
        parameters=[
            OpenApiParameter("date_type", str, required=False, description=DATE_TYPE_HELP),
            OpenApiParameter("start_date", str, required=False, description="With `custom`: the first day."),
            OpenApiParameter("end_date", str, required=False, description="With `custom`: the last day."),
            X_LANGUAGE,
        ],
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(
                description="`invalid_input`: an unknown `date_type` (fields.date_type); with `custom`, a missing "
                "`start_date`/`end_date`, an end before the start or more than 366 days (fields name which)."
            ),
            **IB_REFUSALS,
        },
        summary="Get the IB dashboard panel data (cards).",
        description="New clients, active traders, deposits, withdrawals, net deposits, lots, commission earned "
        "and paid over the period, from the daily figures (see get_last_update_time for their age).",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        ib = ib_profile_of(request.user)
        cards = selectors.dashboard_cards(
            ib=ib, date_type=query.get("date_type"), start=query.get("start_date"), end=query.get("end_date")
        )
        return Response(self.OutputSerializer({"cards": cards}).data)


class GetLastUpdateTimeApi(IbPortalView):
    operation_id = "ib.dashboard.get_last_update_time"

    class OutputSerializer(serializers.Serializer):
        last_update_time = serializers.DateTimeField(
            allow_null=True, help_text="When the figures were last refreshed; null before the first refresh."
        )

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: OutputSerializer, **IB_REFUSALS},
        summary="Get the last update time of the IB dashboard panel data.",
    )
    def get(self, request):
        ib = ib_profile_of(request.user)
        return Response(self.OutputSerializer({"last_update_time": selectors.last_update_time(ib=ib)}).data)
