"""The demo's IB network at work: a master IB (the demo IB user), a sub-IB and a sub-sub-IB, each
with demo clients who came through their referral codes and a rebate account; then, as the beat
would, the trade sync, the commission run, the payout aggregation (the master's payout approved and
paid, the others left in the queue) and the dashboard refresh.

It runs after the other apps' demo weeks, so the clients exist and have a week of trades. The
attributions are moved back to the week's start, as the other demo weeks move their past (the
clients "signed up through the link" before they traded). Running it again changes nothing new:
IBs, attributions and rebate accounts are made once, and every run after that is idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clients.demo_week import DOMAIN
from clients.models import ClientProfile
from clients.trading.mirror.services import deals_sync_all
from clients.trading.models import TradingAccountType
from clients.trading.passwords import trading_password_generate
from clients.trading.services import trading_account_register
from crm.platforms.gateway import AccountSpec, gateway_for
from crm.platforms.simulator.demo import demo_outbox_run
from crm.users.models import User
from ib.commissions.engine import commissions_compute, commissions_reverse_changed
from ib.dashboard.services import daily_figures_refresh
from ib.demo import ADMIN_EMAIL, CLIENTS_OF, MASTER, TREE, demo_plan
from ib.models import ClientAttribution, IbApplication, IbProfile, RebateAccount, RebatePayout
from ib.payouts.services import payout_approve, payouts_aggregate
from ib.services import attribution_from_invite_code, ib_application_submit, ib_promote, rebate_account_add

REBATE_ACCOUNT_TYPE = ("Sim MT5 Live", "real\\standard")
ATTRIBUTED_DAYS_AGO = 8  # before the demo week's first trade


def _email(client: str) -> str:
    return client if "@" in client else f"{client}@{DOMAIN}"


def _network(admin: User) -> dict[str, IbProfile]:
    plan = demo_plan()
    ibs: dict[str, IbProfile] = {}
    for email, parent in TREE:
        profile = IbProfile.objects.filter(user__email=email).first()
        if profile is None:
            user = User.objects.get(email=email)
            profile = ib_promote(
                user_id=user.pk,
                parent_id=ibs[parent].pk if parent else None,
                plan_id=plan.pk if plan else None,
                promoted_by=admin,
            )
        ibs[email] = profile
    return ibs


def _attribute(ibs: dict[str, IbProfile]) -> None:
    """Each client "signed up" with their IB's referral code, from the week's start."""
    since = timezone.now() - timedelta(days=ATTRIBUTED_DAYS_AGO)
    for ib_email, clients in CLIENTS_OF.items():
        code = ibs[ib_email].referral_code
        for client in clients:
            user = User.objects.filter(email=_email(client)).first()
            if user is None or ClientAttribution.objects.filter(client=user).exists():
                continue
            ClientProfile.objects.filter(user=user).update(invite_code=code)
            attribution = attribution_from_invite_code(client=user)
            if attribution is not None:
                ClientAttribution.objects.filter(pk=attribution.pk).update(effective_from=since)


def _rebate_account(ib: IbProfile, admin: User) -> None:
    """A live account of the IB's own, opened on the platform and recorded, that receives rebates."""
    if RebateAccount.objects.filter(ib=ib).exists():
        return
    server_name, group = REBATE_ACCOUNT_TYPE
    account_type = TradingAccountType.objects.get(server__name=server_name, group=group)
    user = ib.user
    login = (
        gateway_for(account_type.server)
        .create_account(
            AccountSpec(
                group=account_type.group,
                currency="USD",
                leverage=100,
                name=user.name or user.email,
                email=user.email,
                main_password=trading_password_generate(),
                investor_password=trading_password_generate(),
                is_demo=False,
            ),
            idempotency_key=f"demo-ib-rebate-{user.email}",
        )
        .login
    )
    account = trading_account_register(user=user, account_type_id=account_type.pk, login=login, leverage=100)
    rebate_account_add(ib_id=ib.pk, trading_account_id=account.pk, added_by=admin)


def _pay_the_masters_payout(ibs: dict[str, IbProfile], admin: User) -> None:
    """One payout approved and paid through the outbox; the others wait in the queue for staff."""
    if RebatePayout.objects.filter(status__in=[RebatePayout.Status.APPROVED, RebatePayout.Status.PAID]).exists():
        return
    payout = RebatePayout.objects.filter(ib=ibs[MASTER], status=RebatePayout.Status.PENDING).order_by("id").first()
    if payout is not None:
        payout_approve(payout_id=payout.pk, approved_by=admin)
        demo_outbox_run()


def _ib_application() -> None:
    """The demo client asks to become an IB, so staff find one application waiting."""
    applicant = User.objects.get(email="client@broker.example")
    if not IbApplication.objects.filter(user=applicant).exists():
        ib_application_submit(user=applicant, message="I run a trading community of 300 members.")


def load_demo_week(*, password: str) -> None:
    admin = User.objects.get(email=ADMIN_EMAIL)
    ibs = _network(admin)
    _attribute(ibs)
    for ib in ibs.values():
        _rebate_account(ib, admin)
    # What the beat runs: the trades are mirrored, commissions computed, payouts gathered, figures refreshed.
    deals_sync_all()
    commissions_compute()
    commissions_reverse_changed()
    payouts_aggregate()
    _pay_the_masters_payout(ibs, admin)
    daily_figures_refresh()
    _ib_application()
