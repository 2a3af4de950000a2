import pytest

from crm.platforms.errors import PlatformRejected
from crm.platforms.gateway import gateway_for
from crm.platforms.models import TradingServer
from crm.platforms.simulator.models import SimAccount
from crm.platforms.tests.factories import TradingServerFactory, account_spec


def rejection(call) -> str:
    with pytest.raises(PlatformRejected) as rejected:
        call()
    return rejected.value.code


def test_logins_come_from_the_server_range_in_order(gateway):
    logins = [gateway.create_account(account_spec()).login for _ in range(3)]

    assert logins == [500000, 500001, 500002]


def test_a_full_login_range_refuses_new_accounts(db):
    gateway = gateway_for(TradingServerFactory(login_range_start=10, login_range_end=11))
    gateway.create_account(account_spec())
    gateway.create_account(account_spec())

    assert rejection(lambda: gateway.create_account(account_spec())) == "login_range_exhausted"
    assert sorted(SimAccount.objects.values_list("login", flat=True)) == [10, 11]


def test_logins_taken_otherwise_are_skipped(server, gateway):
    SimAccount.objects.create(server=server, login=500000, group="g", currency="USD", leverage=100)

    assert gateway.create_account(account_spec()).login == 500001


def test_each_server_has_its_own_logins(db):
    first, second = TradingServerFactory(), TradingServerFactory()

    assert gateway_for(first).create_account(account_spec()).login == 500000
    assert gateway_for(second).create_account(account_spec()).login == 500000


def test_the_same_creation_key_returns_the_same_account(gateway):
    first = gateway.create_account(account_spec(), idempotency_key="open-1")
    again = gateway.create_account(account_spec(name="Someone else"), idempotency_key="open-1")
    other = gateway.create_account(account_spec(), idempotency_key="open-2")

    assert first == again
    assert other.login != first.login
    assert SimAccount.objects.count() == 2


def test_an_account_keeps_what_it_was_opened_with_and_hashes_its_passwords(server, gateway):
    login = gateway.create_account(account_spec(group="real\\ecn", currency="EUR", leverage=200, is_demo=True)).login

    account = SimAccount.objects.get(server=server, login=login)
    assert (account.group, account.currency, account.leverage, account.is_demo) == ("real\\ecn", "EUR", 200, True)
    assert (account.name, account.email) == ("Ada Trader", "ada@example.com")
    assert "Main-pass-1" not in account.main_password
    assert account.check_main_password("Main-pass-1")
    assert account.check_investor_password("Watch-pass-2")
    assert not account.check_investor_password("Main-pass-1")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"leverage": 0}, "invalid_leverage"),
        ({"leverage": 1001}, "invalid_leverage"),
        ({"main_password": "short1"}, "invalid_password"),
        ({"investor_password": "lettersonly"}, "invalid_password"),
        ({"main_password": "12345678"}, "invalid_password"),
        ({"currency": "XYZ"}, "invalid_currency"),
        ({"group": ""}, "invalid_group"),
    ],
)
def test_invalid_accounts_are_refused(gateway, changes, code):
    assert rejection(lambda: gateway.create_account(account_spec(**changes))) == code
    assert not SimAccount.objects.exists()


def test_servers_may_restrict_groups_and_leverage(db):
    gateway = gateway_for(TradingServerFactory(connection_settings={"groups": ["real\\std"], "max_leverage": 400}))

    assert rejection(lambda: gateway.create_account(account_spec(group="real\\vip"))) == "invalid_group"
    assert (
        rejection(lambda: gateway.create_account(account_spec(group="real\\std", leverage=500))) == "invalid_leverage"
    )
    assert gateway.create_account(account_spec(group="real\\std", leverage=400)).login == 500000


def test_mt4_takes_shorter_passwords(db):
    gateway = gateway_for(TradingServerFactory(platform=TradingServer.Platform.MT4))

    login = gateway.create_account(account_spec(main_password="abc123", investor_password="xyz789")).login

    assert SimAccount.objects.get(login=login).check_main_password("abc123")


def test_leverage_and_passwords_change(server, gateway):
    login = gateway.create_account(account_spec()).login

    gateway.set_leverage(login, 500)
    gateway.set_password(login, "main", "Fresh-main-7")
    gateway.set_password(login, "investor", "Fresh-watch-8")

    account = SimAccount.objects.get(server=server, login=login)
    assert account.leverage == 500
    assert account.check_main_password("Fresh-main-7")
    assert account.check_investor_password("Fresh-watch-8")
    assert gateway.account_state(login).leverage == 500


def test_changes_to_unknown_logins_or_bad_values_are_refused(server, gateway):
    login = gateway.create_account(account_spec()).login

    assert rejection(lambda: gateway.set_leverage(123, 100)) == "unknown_login"
    assert rejection(lambda: gateway.set_password(123, "main", "Fresh-main-7")) == "unknown_login"
    assert rejection(lambda: gateway.account_state(123)) == "unknown_login"
    assert rejection(lambda: gateway.set_leverage(login, 5000)) == "invalid_leverage"
    assert rejection(lambda: gateway.set_password(login, "main", "weak")) == "invalid_password"
    account = SimAccount.objects.get(server=server, login=login)
    assert account.leverage == 100
    assert account.check_main_password("Main-pass-1")
