"""A payment provider's secret and signatures never reach a log or an audit row, whatever its callbacks say."""

import json

import pytest

from crm.audit.tests.leaks import audit_text, everything_logged, secrets_found
from funds.deposits.providers import SimulatedPaymentProvider
from funds.deposits.tests.conftest import draft

CALLBACK = "/payments/callback/simulated/"
pytestmark = pytest.mark.django_db


def test_payment_callbacks_log_and_audit_no_secret(client, account, online, client_user, settings):
    deposit = draft(client_user, account, online)
    body = json.dumps(
        {
            "order_number": deposit.order_number,
            "payment_id": f"SIM-{deposit.order_number}",
            "amount": "1000.00",
            "currency": "USD",
            "status": "paid",
        }
    ).encode()
    signature = SimulatedPaymentProvider.sign(body)
    forged = "f" * 64

    with everything_logged() as logged:
        refused = client.post(CALLBACK, body, content_type="application/json", HTTP_X_PAYMENT_SIGNATURE=forged)
        accepted = client.post(CALLBACK, body, content_type="application/json", HTTP_X_PAYMENT_SIGNATURE=signature)

    assert (refused.status_code, accepted.json()["status"]) == (400, "approved")
    assert "payment callback of simulated refused" in logged.text()
    handled = [settings.PAYMENT_SIMULATOR_SECRET, signature, forged]
    assert secrets_found(handled, logged.text(), audit_text()) == []
