"""Trading accounts that exist on the simulated platform too, for the ledger's and the deposits' tests."""

from decimal import Decimal

from clients.trading.models import TradingAccount
from clients.trading.tests.factories import TradingAccountFactory, TradingAccountTypeFactory
from crm.platforms.gateway import BalanceKind, gateway_for
from crm.platforms.simulator.models import SimAccount
from crm.platforms.tests.factories import TradingServerFactory, account_spec
from crm.users.tests.factories import UserFactory
from funds.tests.factories import currency


def platform_account(*, user=None, server=None, is_demo: bool = False, balance: str | None = None) -> TradingAccount:
    """A USD trading account of `user`, opened on its (simulated) server, with `balance` put there directly."""
    currency("USD")
    if server is None:
        server = (
            TradingServerFactory(is_demo=True, login_range_start=900000, login_range_end=999999)
            if is_demo
            else TradingServerFactory()
        )
    account_type = TradingAccountTypeFactory(server=server, group="demo\\standard" if is_demo else "real\\standard")
    gateway = gateway_for(server)
    login = gateway.create_account(account_spec(is_demo=is_demo, group=account_type.group)).login
    if balance is not None:
        gateway.balance_operation(login, BalanceKind.DEPOSIT, Decimal(balance), idempotency_key=f"seed-{login}")
    return TradingAccountFactory(
        user=user or UserFactory(), account_type=account_type, server=server, login=login, is_demo=is_demo
    )


def platform_balance(account: TradingAccount) -> Decimal:
    return SimAccount.objects.get(server=account.server, login=account.login).balance
