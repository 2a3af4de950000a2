"""Reads of the IB network, scoped to the IB who asks: shared by the IB API, the portal and the admin.

What an IB sees: its direct clients (whose current attribution is to it) and, when its plan says
`is_downline_visible`, the clients of every IB below it in the tree. Nothing else, ever: anything
outside is "not found", like an unknown id.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from clients.models import KycStatus
from clients.trading.models import TradingAccount, TradingAccountType
from crm.errors import Forbidden, NotFound
from crm.users.models import User
from ib.errors import IbErrorCode
from ib.models import ClientAttribution, IbAncestry, IbApplication, IbProfile, RebateAccount, RebatePayout

KYC_APPROVED = "approved"
KYC_DISAPPROVED = "disapproved"  # the spec's "not verified": anything but approved


def not_an_ib() -> Forbidden:
    return Forbidden(code=IbErrorCode.NOT_AN_IB, message=_("This is for introducing brokers only."))


def ib_profile_of(user: User) -> IbProfile:
    """The IB profile of `user` (403 `not_an_ib` for anyone else)."""
    if user is None or not user.is_authenticated or not user.is_ib:
        raise not_an_ib()
    profile = IbProfile.objects.select_related("plan", "parent__user").filter(user=user).first()
    if profile is None:
        raise not_an_ib()
    return profile


def ib_by_referral_code(code: str) -> IbProfile | None:
    """The IB whose referral code this is, compared case-insensitively (codes are stored upper-case)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    return IbProfile.objects.select_related("user").filter(referral_code=code).first()


def current_ib_of(*, client: User) -> IbProfile | None:
    """The IB `client` belongs to now (their open attribution), if any."""
    attribution = (
        ClientAttribution.objects.select_related("ib__user").filter(client=client, effective_to__isnull=True).first()
    )
    return attribution.ib if attribution is not None else None


def visible_ib_ids(*, ib: IbProfile) -> QuerySet:
    """The IBs whose clients `ib` sees: itself, plus its whole downline when its plan allows."""
    if ib.plan is not None and ib.plan.is_downline_visible:
        return IbAncestry.objects.filter(ancestor_id=ib.pk).values("ib_id")
    return IbProfile.objects.filter(pk=ib.pk).values("pk")


def clients_visible_to(*, ib: IbProfile) -> QuerySet[User]:
    """The clients `ib` may see (see the module's docstring), with the IB each belongs to now
    (`attributed_ib_id`), since when (`attributed_at`) and how far below `ib` that IB is (`level`:
    0 for its own clients)."""
    current = ClientAttribution.objects.filter(client=OuterRef("pk"), effective_to__isnull=True)
    return (
        User.objects.filter(
            # Driven from the attributions' (ib, effective_to) index: the IB's rows, not every user's.
            pk__in=ClientAttribution.objects.filter(effective_to__isnull=True, ib_id__in=visible_ib_ids(ib=ib)).values(
                "client_id"
            ),
            role__in=[User.Role.CLIENT, User.Role.IB],
        )
        .annotate(
            attributed_ib_id=Subquery(current.values("ib_id")[:1]),
            attributed_ib_user_id=Subquery(current.values("ib__user_id")[:1]),
            attributed_at=Subquery(current.values("effective_from")[:1]),
            level=Subquery(
                IbAncestry.objects.filter(ib_id=OuterRef("attributed_ib_id"), ancestor_id=ib.pk).values("depth")[:1],
                output_field=IntegerField(),
            ),
        )
        .select_related("client_profile", "country")
        .order_by("-date_joined", "-pk")
    )


def client_list(
    *,
    ib: IbProfile,
    client_user_id: int | None = None,
    kyc_status: str | None = None,
    status: str | None = None,
    email: str | None = None,
    client_name: str | None = None,
) -> QuerySet[User]:
    """ib.client.list_clients: the visible clients, filtered as the spec says. Naming a client that is
    not visible is 404 `client_not_found` (as `get_client`), not an empty page."""
    clients = clients_visible_to(ib=ib)
    if client_user_id is not None:
        client_of(ib=ib, client_user_id=client_user_id)
        clients = clients.filter(pk=client_user_id)
    if kyc_status == KYC_APPROVED:
        clients = clients.filter(client_profile__kyc_status=KycStatus.APPROVED)
    elif kyc_status == KYC_DISAPPROVED:
        clients = clients.exclude(client_profile__kyc_status=KycStatus.APPROVED)
    if status:
        clients = clients.filter(status=status)
    if email:
        clients = clients.filter(email__icontains=email.strip())
    if client_name:
        clients = clients.filter(name__icontains=client_name.strip())
    return clients


def client_not_found() -> NotFound:
    return NotFound(code=IbErrorCode.CLIENT_NOT_FOUND, message=_("No such client of yours."))


def client_of(*, ib: IbProfile, client_user_id: int) -> User:
    """One of the clients `ib` sees (404 `client_not_found` for any other user, or none)."""
    client = clients_visible_to(ib=ib).filter(pk=client_user_id).first()
    if client is None:
        raise client_not_found()
    return client


def _login(account_id: str) -> int | None:
    account_id = (account_id or "").strip()
    return int(account_id) if account_id.isdigit() and len(account_id) <= 18 else None


def account_type_ids_named(name: str) -> list[int]:
    """Account types whose name, in any language, contains `name` (case-insensitive). The company's
    catalogue of types is small; its names are per-language JSON, so they are matched here."""
    needle = name.strip().casefold()
    return [
        account_type.pk
        for account_type in TradingAccountType.objects.only("pk", "name_i18n")
        if any(needle in str(text).casefold() for text in (account_type.name_i18n or {}).values())
    ]


def client_trading_accounts(
    *,
    ib: IbProfile,
    user_name: str | None = None,
    account_id: str | None = None,
    trading_account_type_name: str | None = None,
) -> QuerySet[TradingAccount]:
    """ib.client.list_trading_accounts: the trading accounts of the clients `ib` sees, newest first.
    A login (`account_id`) that is not one of these accounts is 404 `trading_account_not_found`."""
    accounts = (
        TradingAccount.objects.filter(user__in=clients_visible_to(ib=ib).values("pk"))
        .select_related("user", "account_type", "server")
        .order_by("-created_at", "-pk")
    )
    if account_id:
        login = _login(account_id)
        accounts = accounts.filter(login=login) if login is not None else accounts.none()
        if not accounts.exists():
            raise NotFound(code=IbErrorCode.TRADING_ACCOUNT_NOT_FOUND, message=_("No such account of your clients."))
    if user_name:
        accounts = accounts.filter(user__name__icontains=user_name.strip())
    if trading_account_type_name:
        accounts = accounts.filter(account_type_id__in=account_type_ids_named(trading_account_type_name))
    return accounts


def rebate_records_of(*, ib: IbProfile) -> QuerySet[RebatePayout]:
    """ib.rebate.list_records: the IB's payouts (lines gathered and paid at once), newest first."""
    return RebatePayout.objects.filter(ib=ib).select_related("rebate_account").order_by("-created_at", "-pk")


def rebate_account_not_found() -> NotFound:
    return NotFound(code=IbErrorCode.REBATE_ACCOUNT_NOT_FOUND, message=_("No such rebate account of yours."))


def rebate_accounts_of(*, ib: IbProfile, account_id: str | None = None) -> QuerySet[RebateAccount]:
    """ib.rebate.list_accounts: the IB's rebate accounts, the enabled one first. A login (`account_id`)
    that is not one of them is 404 `rebate_account_not_found`."""
    accounts = (
        RebateAccount.objects.filter(ib=ib)
        .select_related("trading_account__account_type", "trading_account__server")
        .order_by("-is_enabled", "-pk")
    )
    if account_id:
        login = _login(account_id)
        accounts = accounts.filter(trading_account__login=login) if login is not None else accounts.none()
        if not accounts.exists():
            raise rebate_account_not_found()
    return accounts


def ib_applications_pending_first() -> QuerySet[IbApplication]:
    """The back office's queue of applications: pending ones first, oldest first among them."""
    pending_first = Case(When(status=IbApplication.Status.PENDING, then=Value(0)), default=Value(1))
    return IbApplication.objects.select_related("user", "decided_by").order_by(pending_first, "created_at")


def ib_application_pending_of(*, user: User) -> IbApplication | None:
    return IbApplication.objects.filter(user=user, status=IbApplication.Status.PENDING).first()


def ib_application_latest_of(*, user: User) -> IbApplication | None:
    return IbApplication.objects.filter(user=user).order_by("-created_at", "-pk").first()
