"""Online payments through the simulated provider: its page, its signed callback, idempotent approval."""

import json
from decimal import Decimal

import pytest

from crm.platforms.models import PlatformOperation
from funds.deposits import services
from funds.deposits.models import Deposit
from funds.deposits.providers import SIGNATURE_HEADER, SimulatedPaymentProvider
from funds.deposits.tests.conftest import draft
from funds.ledger.models import Journal

D = Decimal
CALLBACK = "/payments/callback/simulated/"
pytestmark = pytest.mark.django_db


def page_path(deposit: Deposit) -> str:
    return deposit.pay_url.removeprefix("https://crm.example")


def signed(payload: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"HTTP_X_PAYMENT_SIGNATURE": SimulatedPaymentProvider.sign(body)}


def notification(deposit: Deposit, **changes) -> dict:
    return {
        "order_number": deposit.order_number,
        "payment_id": f"SIM-{deposit.order_number}",
        "amount": "1000.00",
        "currency": "USD",
        "status": "paid",
        **changes,
    }


def money_state(deposit: Deposit) -> tuple:
    deposit.refresh_from_db()
    return deposit.status, deposit.payment_reference, Journal.objects.count(), PlatformOperation.objects.count()


def test_paying_on_the_simulated_page_approves_the_deposit_once(client, account, online, client_user):
    deposit = draft(client_user, account, online)

    page = client.get(page_path(deposit))
    paid = client.post(page_path(deposit))
    paid_again = client.post(page_path(deposit))

    assert page.status_code == 200
    assert "1000.00 USD" in page.content.decode() and deposit.order_number in page.content.decode()
    assert paid.status_code == paid_again.status_code == 200
    assert money_state(deposit) == ("approved", f"SIM-{deposit.order_number}", 1, 1)
    assert deposit.decided_by is None  # the provider's confirmation approved it, not staff
    assert list(deposit.events.values_list("from_status", "to_status", "actor")) == [
        ("", "draft", client_user.pk),
        ("draft", "approved", None),
    ]
    assert deposit.events.last().data["payment_reference"] == f"SIM-{deposit.order_number}"
    assert deposit.operation.payload["amount"] == "1000.00"


def test_a_signed_callback_confirms_the_payment_and_repeats_are_harmless(client, account, online, client_user):
    deposit = draft(client_user, account, online)
    body, headers = signed(notification(deposit))

    first = client.post(CALLBACK, body, content_type="application/json", **headers)
    second = client.post(CALLBACK, body, content_type="application/json", **headers)

    assert first.json() == {"code": "ok", "order_number": deposit.order_number, "status": "approved"}
    assert second.json() == first.json()
    assert money_state(deposit) == ("approved", f"SIM-{deposit.order_number}", 1, 1)


@pytest.mark.parametrize(
    ("tamper", "status", "code"),
    [
        (lambda body, headers: (body, {}), 400, "payment_callback_invalid"),
        (lambda body, headers: (body, {"HTTP_X_PAYMENT_SIGNATURE": "0" * 64}), 400, "payment_callback_invalid"),
        (lambda body, headers: (body.replace(b"1000.00", b"9000.00"), headers), 400, "payment_callback_invalid"),
        (lambda body, headers: signed({"status": "paid"}), 400, "payment_callback_invalid"),
        (
            lambda body, headers: (
                b"not json",
                {"HTTP_X_PAYMENT_SIGNATURE": SimulatedPaymentProvider.sign(b"not json")},
            ),
            400,
            "payment_callback_invalid",
        ),
    ],
)
def test_forged_or_malformed_callbacks_change_nothing(client, account, online, client_user, tamper, status, code):
    deposit = draft(client_user, account, online)
    body, headers = tamper(*signed(notification(deposit)))

    response = client.post(CALLBACK, body, content_type="application/json", **headers)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert money_state(deposit) == ("draft", "", 0, 0)


def test_a_payment_that_does_not_match_the_deposit_is_refused(client, account, online, client_user):
    deposit = draft(client_user, account, online)

    for changes in ({"amount": "999.99"}, {"currency": "EUR"}):
        body, headers = signed(notification(deposit, **changes))
        response = client.post(CALLBACK, body, content_type="application/json", **headers)
        assert (response.status_code, response.json()["code"]) == (409, "payment_mismatch")
    assert money_state(deposit) == ("draft", "", 0, 0)


def test_a_payment_for_a_closed_deposit_is_refused(client, account, online, client_user):
    deposit = draft(client_user, account, online)
    services.deposit_cancel(user=client_user, order_number=deposit.order_number)
    body, headers = signed(notification(deposit))

    response = client.post(CALLBACK, body, content_type="application/json", **headers)
    page = client.post(page_path(deposit))

    assert (response.status_code, response.json()["code"]) == (409, "deposit_not_payable")
    assert page.status_code == 409
    assert money_state(deposit) == ("cancelled", "", 0, 0)


def test_callbacks_for_manual_channels_unknown_orders_or_providers_are_refused(client, account, bank, client_user):
    manual = draft(client_user, account, bank)
    body, headers = signed(notification(manual))
    unknown_body, unknown_headers = signed(notification(manual, order_number="D000"))

    wrong_provider = client.post(CALLBACK, body, content_type="application/json", **headers)
    unknown_order = client.post(CALLBACK, unknown_body, content_type="application/json", **unknown_headers)
    manual_callback = client.post("/payments/callback/manual/", body, content_type="application/json", **headers)
    no_provider = client.post("/payments/callback/nobody/", body, content_type="application/json", **headers)
    not_post = client.get(CALLBACK)

    assert (wrong_provider.status_code, wrong_provider.json()["code"]) == (404, "deposit_not_found")
    assert (unknown_order.status_code, unknown_order.json()["code"]) == (404, "deposit_not_found")
    assert (manual_callback.status_code, manual_callback.json()["code"]) == (400, "payment_callback_invalid")
    assert (no_provider.status_code, no_provider.json()["code"]) == (404, "payment_provider_not_found")
    assert not_post.status_code == 405
    assert money_state(manual) == ("draft", "", 0, 0)


def test_the_simulator_is_off_when_switched_off(client, account, online, client_user, settings):
    deposit = draft(client_user, account, online)
    settings.PAYMENT_SIMULATOR_ENABLED = False
    body, headers = signed(notification(deposit))

    assert client.get(page_path(deposit)).status_code == 404
    assert client.post(CALLBACK, body, content_type="application/json", **headers).status_code == 404
    assert client.get("/payments/simulated/forged-token/").status_code == 404
    assert money_state(deposit) == ("draft", "", 0, 0)


def test_a_forged_page_token_is_not_found(client, online):
    assert client.get("/payments/simulated/forged-token/").status_code == 404


def test_the_header_name_is_the_providers(account, online, client_user):
    deposit = draft(client_user, account, online)

    _body, headers = SimulatedPaymentProvider.payment_notification(deposit)

    assert list(headers) == [SIGNATURE_HEADER]
