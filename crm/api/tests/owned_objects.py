"""What each id-like API parameter points at, and how to make one for a given owner: the registry of the
authorization matrix (`test_authorization_matrix.py`).

When an operation gains a parameter that names an object, the matrix fails until the parameter is
here: its kind in `PARAMETER_KINDS`, and the kind either in `OWNED_KINDS` (with a factory that makes a
ready-to-use object of the given owner: the matrix then proves another user gets 404 with it) or in
`SHARED_KINDS` (a catalogue every user may name, with the reason).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone

from clients.models import EVerifySession
from clients.selectors import client_profile_of
from clients.services.questionnaires import questionnaire_answers_save
from clients.tests.factories import answers_for, questionnaire_with_questions
from clients.trading.models import TradingAccount, TradingAccountType
from clients.trading.tests.factories import TradingAccountFactory, TradingAccountTypeFactory, client_user
from crm.files.models import StoredFile
from crm.files.services import private_url
from crm.files.tests.factories import StoredFileFactory
from crm.inbox.tests.factories import MessageFactory
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.tests.factories import TradingServerFactory, account_spec
from crm.users.models import ApiToken, User
from funds.deposits import services as deposit_services
from funds.models import Channel
from funds.tests.factories import ChannelFactory, ClientSegmentFactory, PayoutAccountFactory, currency
from funds.withdrawals.tests.helpers import fund
from ib.models import ClientAttribution, IbProfile
from ib.services import ib_promote, rebate_account_add

_numbers = itertools.count(1)


def matrix_account_type(*, is_demo: bool) -> TradingAccountType:
    """The one live (or demo) type, on its own simulated server, of every account the matrix opens: opening
    an account then adds no type or server that other users would see offered."""
    name = "Authorization matrix demo" if is_demo else "Authorization matrix live"
    account_type = TradingAccountType.objects.filter(server__name=name).first()
    if account_type is None:
        logins = {"login_range_start": 900000, "login_range_end": 999999} if is_demo else {}
        server = TradingServerFactory(name=name, is_demo=is_demo, **logins)
        account_type = TradingAccountTypeFactory(server=server, group="demo\\standard" if is_demo else "real\\standard")
    return account_type


def _trading_account(owner: User, *, is_demo: bool) -> TradingAccount:
    currency("USD")
    account_type = matrix_account_type(is_demo=is_demo)
    spec = account_spec(is_demo=is_demo, group=account_type.group, name=owner.name, email=owner.email)
    login = gateway_for(account_type.server).create_account(spec).login
    return TradingAccountFactory(
        user=owner, account_type=account_type, server=account_type.server, login=login, is_demo=is_demo
    )


def live_trading_account(owner: User) -> int:
    """An active USD account on the simulated platform with 1000.00 on it, through the ledger."""
    account = _trading_account(owner, is_demo=False)
    # Through a channel of the owner's own, so funding shows no new channel to anyone else.
    fund(account, "1000.00", channel=_channel_of(owner))
    return account.pk


def demo_trading_account(owner: User) -> int:
    account = _trading_account(owner, is_demo=True)
    gateway_for(account.server).balance_operation(
        account.login, BalanceKind.DEPOSIT, Decimal("1000.00"), idempotency_key=f"matrix-demo-{account.pk}"
    )
    return account.pk


def _channel_of(owner: User) -> Channel:
    """A USD bank-transfer channel both ways (10.00–10000.00, no fee) open only to a segment of `owner`."""
    channel = ChannelFactory(currencies=["USD"])
    channel.segments.add(ClientSegmentFactory(members=[owner]))
    return channel


def remittance_channel(owner: User) -> int:
    return _channel_of(owner).pk


def deposit_draft(owner: User) -> str:
    deposit = deposit_services.deposit_draft_create(
        user=owner,
        trading_account_id=live_trading_account(owner),
        channel_id=remittance_channel(owner),
        deposit_amount=Decimal("100.00"),
    )
    return deposit.order_number


def deposit_receipt(owner: User) -> str:
    receipt = StoredFileFactory(owner=owner, purpose=StoredFile.Purpose.DEPOSIT_RECEIPT, original_name="receipt.png")
    return private_url(stored_file=receipt)


def questionnaire_answers(owner: User) -> int:
    """A record of `owner`'s answers to a questionnaire of their own (not their KYC's, which may lock)."""
    questionnaire = questionnaire_with_questions()
    record = questionnaire_answers_save(
        profile=client_profile_of(user=owner), questionnaire_id=questionnaire.pk, answers=answers_for(questionnaire)
    )
    return record.pk


def direct_message(owner: User) -> int:
    return MessageFactory(recipients=[owner]).pk


def payout_account(owner: User) -> int:
    return PayoutAccountFactory(owner=owner).pk


def e_verify_session(owner: User) -> str:
    session = EVerifySession.objects.create(
        profile=client_profile_of(user=owner),
        provider="simulated",
        session_id=f"authorization-matrix-{next(_numbers)}",
        attempt_times=1,
        retry_times=2,
        success_url="https://app.example/kyc/done",
        failed_url="https://app.example/kyc/failed",
        expire_at=timezone.now() + timedelta(minutes=30),
    )
    return session.session_id


def portal_user(*, role: str) -> User:
    """A KYC-approved client, or an IB: a client promoted the way staff do it (profile, code, tree rows)."""
    user = client_user()
    if role == User.Role.IB:
        ib_promote(user_id=user.pk, parent_id=None, plan_id=None, promoted_by=None)
        user.refresh_from_db()
    return user


def _ib_of(owner: User) -> IbProfile:
    """The owner's IB profile; a client owner (the reads test makes every kind for clients too) is
    promoted first."""
    profile = IbProfile.objects.filter(user=owner).first()
    if profile is None:
        profile = ib_promote(user_id=owner.pk, parent_id=None, plan_id=None, promoted_by=None)
        owner.refresh_from_db()
    return profile


def _ib_client_of(owner: User) -> User:
    client = client_user(email=f"matrix-client-{next(_numbers)}@example.com")
    ClientAttribution.objects.create(
        client=client, ib=_ib_of(owner), effective_from=client.date_joined, source="invite_code"
    )
    return client


def ib_client(owner: User) -> int:
    """A client who belongs to the IB `owner`."""
    return _ib_client_of(owner).pk


def ib_client_account_login(owner: User) -> str:
    """The login of a live account of a client of the IB `owner`."""
    return str(_trading_account(_ib_client_of(owner), is_demo=False).login)


def _rebate_account(owner: User) -> TradingAccount:
    ib = _ib_of(owner)
    account = _trading_account(owner, is_demo=False)
    rebate_account_add(ib_id=ib.pk, trading_account_id=account.pk, added_by=None)
    return account


def rebate_account(owner: User) -> int:
    """A rebate account of the IB `owner`, by its trading account's id."""
    return _rebate_account(owner).pk


def rebate_account_login(owner: User) -> str:
    return str(_rebate_account(owner).login)


OWNED_KINDS: dict[str, Callable[[User], Any]] = {
    "trading_account": live_trading_account,
    "demo_trading_account": demo_trading_account,
    "remittance_channel": remittance_channel,
    "deposit": deposit_draft,
    "deposit_receipt": deposit_receipt,
    "questionnaire_answers": questionnaire_answers,
    "message": direct_message,
    "payout_account": payout_account,
    "e_verify_session": e_verify_session,
    "ib_client": ib_client,
    "ib_client_account_login": ib_client_account_login,
    "rebate_account": rebate_account,
    "rebate_account_login": rebate_account_login,
}

SHARED_KINDS: dict[str, str] = {
    "questionnaire": "the company's questionnaires; answering one records the caller's own answers",
    "trading_account_type": "the company's account types; which are offered is a product rule, not ownership",
    "trading_tool_column": "the company's trading-tool columns; the read marks are always the caller's own",
    "popup": "the company's popups; the dismissals are always the caller's own",
}

# Looked up by (operation id, name), then (operation group, name), then name.
PARAMETER_KINDS: dict[str | tuple[str, str], str] = {
    "trading_account_id": "trading_account",
    "source_trading_account_id": "trading_account",
    "target_trading_account_id": "trading_account",
    ("client.deposit.fund_demo_account", "trading_account_id"): "demo_trading_account",
    ("client.trading_account", "id"): "trading_account",
    "remittance_id": "remittance_channel",
    "order_number": "deposit",
    "receipt_url": "deposit_receipt",
    ("client.message", "id"): "message",
    ("ib.message", "id"): "message",
    ("client.withdrawal", "id"): "payout_account",
    "payout_account_id": "payout_account",
    "session_id": "e_verify_session",
    ("client.questionnaire.get_answers", "id"): "questionnaire_answers",
    "questionnaire_id": "questionnaire",
    "trading_account_type_id": "trading_account_type",
    "column_id": "trading_tool_column",
    ("public.popup.dismiss_popups", "ids"): "popup",
    ("ib.client", "client_user_id"): "ib_client",
    ("ib.client.list_trading_accounts", "account_id"): "ib_client_account_login",
    ("ib.rebate.list_accounts", "account_id"): "rebate_account_login",
    ("ib.rebate.set_account_enabled", "id"): "rebate_account",
}


def kind_of(*, operation_id: str, group: str, name: str) -> str | None:
    for key in ((operation_id, name), (group, name), name):
        if key in PARAMETER_KINDS:
            return PARAMETER_KINDS[key]
    return None


# Rows a request may touch whatever it asks: the caller's token records its last use.
VOLATILE_MODELS = {ApiToken}
PROJECT_APPS = ("crm", "clients", "funds", "ib", "reports")


@cache
def _snapshot_tables() -> tuple[tuple[str, str], ...]:
    """(table, primary key column) of every model of the project, many-to-many tables included."""
    quote = connection.ops.quote_name
    return tuple(
        (quote(model._meta.db_table), quote(model._meta.pk.column))
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.split(".")[0] in PROJECT_APPS
        and model._meta.managed
        and not model._meta.proxy
        and model not in VOLATILE_MODELS
    )


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the project (ledger, outbox, audit, simulator included), by table.
    Plain SQL: a few dozen ORM querysets per snapshot would be most of the matrix's time."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table, primary_key in _snapshot_tables():
            cursor.execute(f"SELECT * FROM {table} ORDER BY {primary_key}")  # names from the models, not input
            snapshot[table] = cursor.fetchall()
    return snapshot
