"""client.trading_account.*: account types, applying for accounts, the client's accounts, leverage and passwords.

Every operation is the signed-in portal user's (clients and IBs; staff get 403 `not_a_portal_user`).
Someone else's account is 404 `trading_account_not_found`, like an unknown one.

Trading passwords are never kept by the CRM: `get_account` answers `password` and
`observe_password` with `""` always. Balances, credit, equity and margins come from a snapshot the
CRM refreshes in the background and after each operation on the account, never from a platform call
per request; `state_refreshed_at` and `state_age_seconds` say how old it is. Before the first
reading, `get_account` is 503 `platform_unavailable` and `list_accounts` shows the account with null
figures and `is_state_available: false`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from clients.selectors import demo_account_allowed
from clients.trading import selectors, services
from clients.trading.models import AccountApplication, LeverageChange, TradingAccount, TradingCurrency
from clients.trading.services import PasswordType
from crm.api.languages import request_language
from crm.api.pagination import PAGE_PARAMETERS, PageQuerySerializer, page_rows
from crm.api.schema import EMPTY_RESPONSE, X_LANGUAGE
from crm.api.views import OperationView
from crm.content.models import Audience
from crm.permissions.selectors import portal_audience_for
from crm.platforms.gateway import AccountState
from crm.platforms.models import TradingServer

MAX_ID = 2**63 - 1
MAX_LEVERAGE = 2**31 - 1
PASSWORD_MAX_LENGTH = 64  # longer is refused by the rules anyway; this only bounds the input

PORTAL_REFUSALS = {
    401: OpenApiResponse(description="Not logged in (`not_authenticated`)."),
    403: OpenApiResponse(description="`not_a_portal_user`: staff have no portal."),
}
ACCOUNT_NOT_FOUND = {
    404: OpenApiResponse(description="`trading_account_not_found`: no such account of yours."),
}
INVALID_INPUT = {400: OpenApiResponse(description="`invalid_input` with `fields`.")}
ACCOUNT_ID_PARAMETER = OpenApiParameter("id", int, required=True, description="The trading account's id.")


class ClientPortalView(OperationView):
    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        portal_audience_for(user=request.user, requested=Audience.CLIENT)


class AccountIdQuerySerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The trading account's id.")


# --- Applying -------------------------------------------------------------------------


class ApplicationInputSerializer(serializers.Serializer):
    currency = serializers.ChoiceField(choices=TradingCurrency.choices, help_text="Only USD for now.")
    leverage = serializers.IntegerField(
        min_value=1, max_value=MAX_LEVERAGE, help_text="100 for 1:100; one of the type's leverage options."
    )
    observe_password = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Investor (read-only) password, same rules as `password`. Left out: a random one is set; "
        "change it later with update_password.",
    )
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Trading password: 8–16 characters (MT4: 8–15) with lower-case, upper-case letters and digits. "
        "Sent to the platform; the CRM keeps no copy.",
    )
    trading_account_type_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="An id from list_account_types."
    )
    trading_platform = serializers.ChoiceField(
        choices=TradingServer.Platform.choices, help_text="Must be the account type's platform."
    )


APPLICATION_REFUSALS = {
    400: OpenApiResponse(
        description="`invalid_input` (fields; also a platform, demo flag or currency that is not the type's), "
        "`account_type_unavailable` (fields.trading_account_type_id), `leverage_not_allowed` (fields.leverage), "
        "`invalid_trading_password` (fields.password / fields.observe_password)."
    ),
    401: PORTAL_REFUSALS[401],
    403: OpenApiResponse(
        description="`kyc_required`: live accounts need KYC first; `demo_not_allowed`: demo accounts are off; "
        "`not_a_portal_user`."
    ),
    409: OpenApiResponse(description="`account_application_pending`: an application already waits for review."),
}


class ApplyForAccountApi(ClientPortalView):
    operation_id = "client.trading_account.apply_for_account"
    parser_classes = [JSONParser]

    class InputSerializer(ApplicationInputSerializer):
        is_demo = serializers.BooleanField(help_text="Must be the account type's: demo types are on demo servers.")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="The application's id.")
        status = serializers.ChoiceField(
            choices=AccountApplication.Status.choices,
            help_text="`approved`: the account is being opened (demo accounts, and live ones when the company "
            "approves them automatically); `pending`: it waits for staff. The account appears in list_accounts "
            "once opened; the client is told through the message centre.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **APPLICATION_REFUSALS},
        summary="Apply for a trading account (live or demo); the user ID is taken from the token.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        application = services.account_application_create(
            user=request.user,
            account_type_id=body["trading_account_type_id"],
            trading_platform=body["trading_platform"],
            is_demo=body["is_demo"],
            currency=body["currency"],
            leverage=body["leverage"],
            password=body["password"],
            observe_password=body.get("observe_password", ""),
        )
        return Response(self.OutputSerializer(application).data)


class CreateOpeningApplicationApi(ClientPortalView):
    operation_id = "client.trading_account.create_opening_application"
    parser_classes = [JSONParser]

    class InputSerializer(ApplicationInputSerializer):
        pass

    class OutputSerializer(serializers.Serializer):
        application_account_id = serializers.IntegerField(source="id", help_text="The application's id.")
        status = serializers.ChoiceField(
            choices=AccountApplication.Status.choices, help_text="As in apply_for_account."
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **APPLICATION_REFUSALS},
        summary="Create a trading-account opening application (Client portal).",
        description="Live accounts only (a demo type is `invalid_input` on `is_demo`); otherwise as apply_for_account.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        application = services.account_application_create(
            user=request.user,
            account_type_id=body["trading_account_type_id"],
            trading_platform=body["trading_platform"],
            is_demo=False,
            currency=body["currency"],
            leverage=body["leverage"],
            password=body["password"],
            observe_password=body.get("observe_password", ""),
        )
        return Response(self.OutputSerializer(application).data)


class CheckDemoAllowedApi(ClientPortalView):
    operation_id = "client.trading_account.check_demo_allowed"

    class OutputSerializer(serializers.Serializer):
        enabled = serializers.BooleanField(help_text="Whether this user may open a demo account now.")

    @extend_schema(
        responses={200: OutputSerializer, **PORTAL_REFUSALS}, summary="Check whether opening a demo account is allowed."
    )
    def get(self, request):
        return Response({"enabled": demo_account_allowed(user=request.user)})


# --- Account types and platforms ------------------------------------------------------


class AccountTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField(help_text="In the request's language.")
    trading_platform = serializers.ChoiceField(source="platform", choices=TradingServer.Platform.choices)
    is_demo = serializers.BooleanField()
    server_name = serializers.CharField(source="server.name")
    currencies = serializers.ListField(
        child=serializers.ChoiceField(choices=TradingCurrency.choices), help_text="Currencies an account may have."
    )
    leverage_options = serializers.SerializerMethodField(help_text="Leverages to choose from, e.g. [100, 200, 500].")
    min_deposit = serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=True, help_text="The smallest first deposit, e.g. 100.00."
    )
    description = serializers.SerializerMethodField(help_text="In the request's language; may be empty.")

    def get_name(self, account_type) -> str:
        return account_type.name(request_language())

    def get_leverage_options(self, account_type) -> list[int]:
        return selectors.leverage_options_of(account_type)

    def get_description(self, account_type) -> str:
        texts = account_type.description_i18n or {}
        return texts.get(request_language()) or next((text for text in texts.values() if text), "")


class AccountTypePage(serializers.Serializer):
    list = AccountTypeSerializer(many=True)
    total = serializers.IntegerField()


class ListAccountTypesApi(ClientPortalView):
    operation_id = "client.trading_account.list_account_types"

    class QuerySerializer(PageQuerySerializer):
        is_demo = serializers.BooleanField(required=False, allow_null=True, default=None)
        trading_platform = serializers.ChoiceField(choices=TradingServer.Platform.choices)

    @extend_schema(
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("is_demo", bool, required=False, description="Only demo (true) or live (false) types."),
            OpenApiParameter(
                "trading_platform", str, required=True, enum=TradingServer.Platform.values, description="Platform."
            ),
            X_LANGUAGE,
        ],
        responses={200: AccountTypePage, **INVALID_INPUT, **PORTAL_REFUSALS},
        summary="Get the available trading account types (matched to the token user's registration flow).",
        description="Enabled types on enabled servers offered to the user's registration flow, by position.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        types = selectors.account_types_offered_to(
            user=request.user, platform=query["trading_platform"], is_demo=query["is_demo"]
        )
        page, size = query["page"], query["size"]
        rows = types[(page - 1) * size : page * size]
        return Response({"list": AccountTypeSerializer(rows, many=True).data, "total": types.count()})


class PlatformOptionSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=TradingServer.Platform.choices, help_text="As trading_platform elsewhere.")
    label = serializers.CharField(help_text="e.g. MetaTrader 5.")


class PlatformOptionList(serializers.Serializer):
    list = PlatformOptionSerializer(many=True)
    total = serializers.IntegerField()


class ListPlatformOptionsApi(ClientPortalView):
    operation_id = "client.trading_account.list_platform_options"

    @extend_schema(
        responses={200: PlatformOptionList, **PORTAL_REFUSALS},
        summary="Get the available trading platforms as select options.",
        description="The platforms of the account types offered to this user. Not paginated.",
    )
    def get(self, request):
        labels = dict(TradingServer.Platform.choices)
        options = [
            {"value": platform, "label": labels[platform]}
            for platform in selectors.platforms_offered_to(user=request.user)
        ]
        return Response({"list": options, "total": len(options)})


# --- Accounts -------------------------------------------------------------------------


SNAPSHOT_FIGURE = "2 decimals, as the platform said at `state_refreshed_at`; null before the first reading."


class AccountSerializer(serializers.Serializer):
    """A trading account of the user. `status`: `disabled` accounts cannot change leverage or passwords."""

    # Subclasses read the money figures from context["states"]: {account id: AccountState or None}.

    id = serializers.IntegerField(help_text="The account's id in the CRM (the `id` other operations take).")
    account = serializers.CharField(source="login", help_text="The login on the platform, as a string.")
    login = serializers.IntegerField(help_text="The login on the platform.")
    currency = serializers.ChoiceField(choices=TradingCurrency.choices)
    leverage = serializers.IntegerField(help_text="100 for 1:100.")
    is_demo = serializers.BooleanField()
    status = serializers.ChoiceField(choices=TradingAccount.Status.choices)
    server_name = serializers.CharField(source="server.name")
    trading_platform = serializers.ChoiceField(source="server.platform", choices=TradingServer.Platform.choices)
    trading_account_type_id = serializers.IntegerField(source="account_type_id")
    trading_account_type_name = serializers.SerializerMethodField(help_text="In the request's language.")
    created_at = serializers.DateTimeField(help_text="When it was opened.")

    state_refreshed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the figures were read from the platform; null before the first reading."
    )
    state_age_seconds = serializers.SerializerMethodField(
        help_text="Seconds since `state_refreshed_at`; null before the first reading."
    )

    def get_trading_account_type_name(self, account) -> str:
        return account.account_type.name(request_language())

    def get_state_age_seconds(self, account) -> int | None:
        return selectors.state_age_seconds(account)

    def state(self, account) -> AccountState | None:
        return self.context["states"].get(account.pk)


class AccountListItemSerializer(AccountSerializer):
    balance = serializers.SerializerMethodField(help_text=SNAPSHOT_FIGURE)
    credit = serializers.SerializerMethodField(help_text=SNAPSHOT_FIGURE)
    equity = serializers.SerializerMethodField(help_text=SNAPSHOT_FIGURE)
    margin = serializers.SerializerMethodField(help_text=SNAPSHOT_FIGURE)
    free_margin = serializers.SerializerMethodField(help_text=SNAPSHOT_FIGURE)
    is_state_available = serializers.SerializerMethodField(
        help_text="False before the first reading from the platform: the figures are null then."
    )

    def figure(self, account, name: str) -> str | None:
        state = self.state(account)
        return None if state is None else selectors.money(getattr(state, name))

    def get_balance(self, account) -> str | None:
        return self.figure(account, "balance")

    def get_credit(self, account) -> str | None:
        return self.figure(account, "credit")

    def get_equity(self, account) -> str | None:
        return self.figure(account, "equity")

    def get_margin(self, account) -> str | None:
        return self.figure(account, "margin")

    def get_free_margin(self, account) -> str | None:
        return self.figure(account, "free_margin")

    def get_is_state_available(self, account) -> bool:
        return self.state(account) is not None


class AccountPage(serializers.Serializer):
    list = AccountListItemSerializer(many=True)
    total = serializers.IntegerField()


class ListAccountsApi(ClientPortalView):
    operation_id = "client.trading_account.list_accounts"

    class QuerySerializer(PageQuerySerializer):
        is_demo = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("is_demo", bool, required=False, description="Only demo (true) or live (false) accounts."),
            X_LANGUAGE,
        ],
        responses={200: AccountPage, **INVALID_INPUT, **PORTAL_REFUSALS},
        summary="Get the user's trading accounts (paginated).",
        description="Newest first, each with its balance, credit, equity and margins from the snapshot the CRM "
        "keeps (`state_refreshed_at`, `state_age_seconds`); no platform call per account.",
    )
    def get(self, request):
        query = self.query(self.QuerySerializer, request)
        accounts = selectors.trading_accounts_of(user=request.user, is_demo=query["is_demo"])
        rows, total = page_rows(accounts, page=query["page"], size=query["size"])
        states = selectors.account_snapshots_of(rows)
        return Response(
            {"list": AccountListItemSerializer(rows, many=True, context={"states": states}).data, "total": total}
        )


class GetAccountApi(ClientPortalView):
    operation_id = "client.trading_account.get_account"

    class OutputSerializer(AccountSerializer):
        balance = serializers.SerializerMethodField(help_text="As of `state_refreshed_at`; 2 decimals, e.g. 1000.00.")
        credit = serializers.SerializerMethodField(help_text="As of `state_refreshed_at`; 2 decimals.")
        equity = serializers.SerializerMethodField(help_text="As of `state_refreshed_at`; 2 decimals.")
        margin = serializers.SerializerMethodField(help_text="As of `state_refreshed_at`; 2 decimals.")
        free_margin = serializers.SerializerMethodField(help_text="As of `state_refreshed_at`; 2 decimals.")
        password = serializers.SerializerMethodField(
            help_text='Always "": the CRM never keeps trading passwords (update_password sets a new one).'
        )
        observe_password = serializers.SerializerMethodField(help_text='Always "", as `password`.')

        def get_balance(self, account) -> str:
            return selectors.money(self.state(account).balance)

        def get_credit(self, account) -> str:
            return selectors.money(self.state(account).credit)

        def get_equity(self, account) -> str:
            return selectors.money(self.state(account).equity)

        def get_margin(self, account) -> str:
            return selectors.money(self.state(account).margin)

        def get_free_margin(self, account) -> str:
            return selectors.money(self.state(account).free_margin)

        def get_password(self, account) -> str:
            return ""

        def get_observe_password(self, account) -> str:
            return ""

    @extend_schema(
        parameters=[ACCOUNT_ID_PARAMETER, X_LANGUAGE],
        responses={
            200: OutputSerializer,
            **INVALID_INPUT,
            **PORTAL_REFUSALS,
            **ACCOUNT_NOT_FOUND,
            503: OpenApiResponse(
                description="`platform_unavailable`: the figures were never read from the platform yet; try again."
            ),
        },
        summary="Get a trading account's details.",
        description="Balance, credit, equity and margins come from the snapshot (`state_refreshed_at`, "
        "`state_age_seconds`); `password` and "
        '`observe_password` are always "" (the CRM keeps no trading passwords).',
    )
    def get(self, request):
        query = self.query(AccountIdQuerySerializer, request)
        account = selectors.trading_account_of(user=request.user, account_id=query["id"])
        state = selectors.account_snapshot_of(account)
        if state is None:
            raise selectors.platform_unavailable()
        return Response(self.OutputSerializer(account, context={"states": {account.pk: state}}).data)


class AccountOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The account's id.")
    login = serializers.IntegerField()
    label = serializers.SerializerMethodField(help_text="e.g. 500001 · Standard · MT5 (demo accounts say so).")
    is_demo = serializers.BooleanField()
    trading_platform = serializers.ChoiceField(source="server.platform", choices=TradingServer.Platform.choices)
    currency = serializers.ChoiceField(choices=TradingCurrency.choices)

    def get_label(self, account) -> str:
        parts = [str(account.login), account.account_type.name(request_language()), account.server.platform]
        if account.is_demo:
            parts.append("Demo")
        return " · ".join(part for part in parts if part)


class AccountOptionList(serializers.Serializer):
    list = AccountOptionSerializer(many=True)
    total = serializers.IntegerField()


class ListAccountOptionsApi(ClientPortalView):
    operation_id = "client.trading_account.list_account_options"

    @extend_schema(
        parameters=[X_LANGUAGE],
        responses={200: AccountOptionList, **PORTAL_REFUSALS},
        summary="Get the user's trading accounts as select options.",
        description="The user's active accounts, newest first. Not paginated.",
    )
    def get(self, request):
        accounts = selectors.trading_accounts_of(user=request.user).filter(status=TradingAccount.Status.ACTIVE)
        options = AccountOptionSerializer(accounts, many=True).data
        return Response({"list": options, "total": len(options)})


# --- Leverage -------------------------------------------------------------------------


class ListLeverageOptionsApi(ClientPortalView):
    operation_id = "client.trading_account.list_leverage_options"

    class OutputSerializer(serializers.Serializer):
        leverage_options = serializers.ListField(
            child=serializers.IntegerField(), help_text="Leverages the account may have, e.g. [100, 200, 500]."
        )
        leverage = serializers.IntegerField(help_text="The account's leverage now.")

    @extend_schema(
        parameters=[ACCOUNT_ID_PARAMETER],
        responses={200: OutputSerializer, **INVALID_INPUT, **PORTAL_REFUSALS, **ACCOUNT_NOT_FOUND},
        summary="Get the leverage options available for a trading account.",
    )
    def get(self, request):
        query = self.query(AccountIdQuerySerializer, request)
        account = selectors.trading_account_of(user=request.user, account_id=query["id"])
        return Response(
            {"leverage_options": selectors.leverage_options_of(account.account_type), "leverage": account.leverage}
        )


LEVERAGE_STATUS_NONE = "none"


class GetLeverageUpdateStatusApi(ClientPortalView):
    operation_id = "client.trading_account.get_leverage_update_status"

    class OutputSerializer(serializers.Serializer):
        audit_id = serializers.IntegerField(help_text="The latest leverage change's id; 0 when there is none.")
        audit_status = serializers.ChoiceField(
            choices=[(LEVERAGE_STATUS_NONE, "No change requested"), *LeverageChange.Status.choices],
            help_text="`pending` (waiting for staff), `approved` (being applied), `applied`, `rejected`, `failed`; "
            "`none` when no change was ever requested.",
        )
        from_leverage = serializers.IntegerField(allow_null=True, help_text="null when there is none.")
        to_leverage = serializers.IntegerField(allow_null=True, help_text="The leverage asked for; null when none.")
        reason = serializers.CharField(help_text='Why it was rejected or failed; "" otherwise.')
        requested_at = serializers.DateTimeField(allow_null=True, help_text="null when there is none.")

    @extend_schema(
        parameters=[ACCOUNT_ID_PARAMETER],
        responses={200: OutputSerializer, **INVALID_INPUT, **PORTAL_REFUSALS, **ACCOUNT_NOT_FOUND},
        summary="Get the status of a trading account's leverage-change request.",
        description="The latest request of the account.",
    )
    def get(self, request):
        query = self.query(AccountIdQuerySerializer, request)
        account = selectors.trading_account_of(user=request.user, account_id=query["id"])
        change = selectors.leverage_change_latest(account=account)
        if change is None:
            data = {
                "audit_id": 0,
                "audit_status": LEVERAGE_STATUS_NONE,
                "from_leverage": None,
                "to_leverage": None,
                "reason": "",
                "requested_at": None,
            }
        else:
            data = {
                "audit_id": change.pk,
                "audit_status": change.status,
                "from_leverage": change.from_leverage,
                "to_leverage": change.to_leverage,
                "reason": change.reason,
                "requested_at": change.created_at,
            }
        return Response(self.OutputSerializer(data).data)


class UpdateLeverageApi(ClientPortalView):
    operation_id = "client.trading_account.update_leverage"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The trading account's id.")
        leverage = serializers.IntegerField(
            min_value=1, max_value=MAX_LEVERAGE, help_text="One of list_leverage_options, not the current one."
        )
        remark = serializers.CharField(allow_blank=True, max_length=500, help_text="For staff; may be empty.")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: EMPTY_RESPONSE,
            400: OpenApiResponse(description="`invalid_input`; `leverage_not_allowed` (fields.leverage)."),
            401: PORTAL_REFUSALS[401],
            403: PORTAL_REFUSALS[403],
            **ACCOUNT_NOT_FOUND,
            409: OpenApiResponse(
                description="`leverage_change_pending`: one is in progress; `trading_account_disabled`."
            ),
        },
        summary="Request a leverage change for a trading account.",
        description="Staff approve it; then it is applied on the platform (see get_leverage_update_status).",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        services.leverage_change_request(
            user=request.user, account_id=body["id"], leverage=body["leverage"], remark=body["remark"]
        )
        return Response({})


# --- Passwords ------------------------------------------------------------------------


class UpdatePasswordApi(ClientPortalView):
    operation_id = "client.trading_account.update_password"
    parser_classes = [JSONParser]

    class InputSerializer(serializers.Serializer):
        id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The trading account's id.")
        password = serializers.CharField(
            max_length=PASSWORD_MAX_LENGTH,
            trim_whitespace=False,
            help_text="8–16 characters (MT4: 8–15) with lower-case, upper-case letters and digits.",
        )
        type = serializers.ChoiceField(
            choices=PasswordType.choices,
            help_text="observe: the read-only (investor) password; trade: the trading one.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            200: EMPTY_RESPONSE,
            400: OpenApiResponse(description="`invalid_input`; `invalid_trading_password` (fields.password)."),
            401: PORTAL_REFUSALS[401],
            403: PORTAL_REFUSALS[403],
            **ACCOUNT_NOT_FOUND,
            409: OpenApiResponse(description="`trading_account_disabled`."),
        },
        summary="Change a trading account's password (read-only/observe or trade).",
        description="Sent to the platform at once through the outbox; the client is told when it is set. "
        "The CRM keeps no copy.",
    )
    def post(self, request):
        body = self.body(self.InputSerializer, request)
        services.trading_password_change(
            user=request.user, account_id=body["id"], type=body["type"], password=body["password"]
        )
        return Response({})
