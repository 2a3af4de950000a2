"""Trading accounts for the demo week's approved clients, opened the way the portal and the back
office open them (an application, a staff approval, the platform operation through the outbox),
and a few applications and a leverage change left for staff to decide. The demo broker has staff
review live applications (`TradingSettings.live_applications_auto_approve` off).

Running it again changes nothing: a client with an account or an application is left alone.
"""

from __future__ import annotations

from clients.demo_week import REVIEWER_EMAIL, DemoClient, Stage, clients_at, demo_user
from clients.trading.models import AccountApplication, TradingAccount, TradingAccountType
from clients.trading.passwords import trading_password_generate
from clients.trading.selectors import trading_settings_get
from clients.trading.services import account_application_approve, account_application_create
from clients.trading.services.leverage import leverage_change_request
from crm.platforms.simulator.demo import demo_outbox_run
from crm.users.models import User

STANDARD = ("Sim MT5 Live", "real\\standard")
ECN = ("Sim MT5 Live", "real\\ecn")
# Clients with a second (ECN) account, so they can move money between their own accounts.
TWO_ACCOUNTS = {"wei.zhang", "tan.mei.ling", "hiroshi.sato"}
# Clients whose application for an ECN account waits for staff.
APPLYING = {"li.na", "somchai.p", "kim.minjun"}
LEVERAGE_CHANGE = ("ahmed.hassan", 400)
LEVERAGES = [100, 200, 500, 100, 300]


def _type(server_and_group: tuple[str, str]) -> TradingAccountType:
    server, group = server_and_group
    return TradingAccountType.objects.get(server__name=server, group=group)


def _apply(user: User, account_type: TradingAccountType, leverage: int) -> AccountApplication:
    return account_application_create(
        user=user,
        account_type_id=account_type.pk,
        trading_platform=account_type.platform,
        is_demo=False,
        currency="USD",
        leverage=leverage,
        password=trading_password_generate(),
    )


def _open(user: User, account_type: TradingAccountType, leverage: int, reviewer: User) -> None:
    application = _apply(user, account_type, leverage)
    if application.status == AccountApplication.Status.PENDING:
        account_application_approve(application_id=application.pk, approved_by=reviewer)
    demo_outbox_run()


def live_accounts_of(client: DemoClient) -> list[TradingAccount]:
    return list(TradingAccount.objects.filter(user__email=client.email, is_demo=False).order_by("id"))


def _staff_review_live_applications() -> None:
    """The demo broker reviews every live application, so the back office has applications to decide."""
    settings = trading_settings_get()
    settings.live_applications_auto_approve = False
    settings.save()


def load_demo_week(*, password: str) -> None:
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    standard, ecn = _type(STANDARD), _type(ECN)
    for index, client in enumerate(clients_at(Stage.APPROVED)):
        user = demo_user(client)
        if user is None or AccountApplication.objects.filter(user=user).exists():
            continue
        if index == 0:
            _staff_review_live_applications()
        _open(user, standard, LEVERAGES[index % len(LEVERAGES)], reviewer)
        if client.slug in TWO_ACCOUNTS:
            _open(user, ecn, 100, reviewer)
        if client.slug in APPLYING:
            _apply(user, ecn, 100)
        if client.slug == LEVERAGE_CHANGE[0]:
            account = live_accounts_of(client)[0]
            leverage_change_request(
                user=user, account_id=account.pk, leverage=LEVERAGE_CHANGE[1], remark="Trading gold next week."
            )
