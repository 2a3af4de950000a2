"""Demo top-ups: play money for demo accounts, booked against `demo_funding`, sent through the outbox."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from crm.audit.services import audit_record
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.models import PlatformOperation
from crm.platforms.services import platform_operation_enqueue
from crm.users.models import User
from funds.deposits.errors import (
    DepositError,
    DepositErrorCode,
)
from funds.deposits.selectors import demo_topups_in_flight
from funds.deposits.services.common import (
    amount_input,
    check_account_usable,
    conflict,
    own_trading_account,
)
from funds.errors import FundsError
from funds.ledger.models import Journal
from funds.ledger.services import (
    client_trading_account,
    demo_funding_account,
    journal_post,
)
from funds.money import currency_get, quantize


def demo_account_fund(*, user: User, trading_account_id: int, amount: Decimal) -> PlatformOperation:
    """Top a demo account up with play money, within `DEMO_TOPUP_MAX_AMOUNT` at once and
    `DEMO_ACCOUNT_MAX_BALANCE` in all: a journal against `demo_funding` and a platform deposit through
    the outbox. 404 someone else's account, 409 `trading_account_not_demo`, 400 over a limit.
    """
    account = own_trading_account(user=user, trading_account_id=trading_account_id)
    if not account.is_demo:
        raise conflict(DepositErrorCode.TRADING_ACCOUNT_NOT_DEMO, _("Only demo accounts can be topped up."))
    check_account_usable(account)
    currency = currency_get(account.currency)
    amount = amount_input(amount, currency, field="amount")
    maximum = quantize(settings.DEMO_TOPUP_MAX_AMOUNT, currency)
    if amount > maximum:
        message = _("The maximum is %(amount)s %(code)s.") % {"amount": maximum, "code": currency.code}
        raise FundsError(code="amount_above_maximum", message=message, fields={"amount": [message]})
    # Read before the transaction (never hold one open across a platform call). Operations in flight
    # before this read and at the lock below both count, so one done in between is counted twice: a
    # cautious error, never one that lets the balance pass the cap.
    in_flight_before = demo_topups_in_flight(account=account)
    platform_balance = gateway_for(account.server).account_state(account.login).balance
    with transaction.atomic(durable=True):
        account = own_trading_account(user=user, trading_account_id=trading_account_id, for_update=True)
        in_flight = {**in_flight_before, **demo_topups_in_flight(account=account)}
        cap = quantize(settings.DEMO_ACCOUNT_MAX_BALANCE, currency)
        if platform_balance + sum(in_flight.values(), Decimal(0)) + amount > cap:
            message = _("A demo account holds at most %(amount)s %(code)s.") % {"amount": cap, "code": currency.code}
            raise DepositError(
                code=DepositErrorCode.DEMO_BALANCE_LIMIT_EXCEEDED, message=message, fields={"amount": [message]}
            )
        key = f"demo:{account.pk}:{uuid.uuid4().hex}"
        journal = journal_post(
            kind=Journal.Kind.DEMO_FUNDING,
            lines=[
                (demo_funding_account(currency=currency.code), amount),
                (client_trading_account(trading_account=account), -amount),
            ],
            reference=account,
            memo=f"Demo top-up of {account.login}",
            by=user,
            idempotency_key=key,
        )
        operation = platform_operation_enqueue(
            server=account.server,
            kind=PlatformOperation.Kind.BALANCE,
            payload={
                "login": account.login,
                "kind": str(BalanceKind.DEPOSIT),
                "amount": amount,
                "comment": "Demo top-up",
            },
            idempotency_key=key,
        )
        audit_record(
            actor=user,
            action="demo_account.funded",
            target=account,
            data={
                "amount": str(amount),
                "currency": currency.code,
                "journal_id": journal.pk,
                "operation_id": operation.pk,
            },
        )
    return operation
