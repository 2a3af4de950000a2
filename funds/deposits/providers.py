"""How a client pays a deposit: the payment-provider interface, manual channels and the simulator.

A channel names its provider (`Channel.provider`):

- `manual` (bank transfer, international wire, cryptocurrency): the client pays by themselves with
  the channel's instructions (`pay_data`), uploads the receipt and submits; staff approve.
- an online provider: `create_payment` gives the page the client pays on (`pay_url`); the provider
  later calls us back (`POST /payments/callback/<provider>/`), `verify_callback` checks the call
  is genuine and says what was paid, and the deposit is approved without staff.

`simulated` is the online provider of the embedded default: its payment page is ours
(`/payments/simulated/<token>/`), and its callback is signed with HMAC-SHA256 like a real one's.
It is on unless `PAYMENT_SIMULATOR_ENABLED` is off (off in production by default).
Real providers implement `PaymentProvider` and are added with `register_provider`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.api.languages import localized, request_language
from funds.deposits.errors import DepositConflict, DepositError, DepositErrorCode
from funds.models import MANUAL_PROVIDER
from funds.money import format_amount

if TYPE_CHECKING:
    from funds.deposits.models import Deposit
    from funds.models import Channel

SIMULATED_PROVIDER = "simulated"
SIGNATURE_HEADER = "X-Payment-Signature"
PAY_TOKEN_SALT = "funds.deposits.simulated-pay"


class CallbackRequest(Protocol):
    """What `verify_callback` reads of a request: Django's `HttpRequest` is one."""

    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class PaymentRequest:
    """How the client pays: `pay_type` (`manual`, `redirect`), the page to open (`pay_url`, or ""),
    and what the client needs to pay (`pay_data`, a JSON object as a string)."""

    pay_type: str
    pay_url: str
    pay_data: str


@dataclass(frozen=True)
class PaymentConfirmation:
    """What a provider's callback says was paid."""

    order_number: str
    payment_reference: str
    amount: Decimal
    currency: str


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, deposit: Deposit) -> PaymentRequest: ...

    def verify_callback(self, request: CallbackRequest) -> PaymentConfirmation:
        """The payment a genuine callback confirms; 400 `payment_callback_invalid` for anything else."""
        ...


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _invalid_callback(message: str) -> DepositError:
    return DepositError(code=DepositErrorCode.PAYMENT_CALLBACK_INVALID, message=message)


class ManualProvider:
    """The client pays with the channel's instructions; staff check the receipt."""

    name = MANUAL_PROVIDER

    def create_payment(self, deposit: Deposit) -> PaymentRequest:
        channel = deposit.channel
        data = {
            "order_number": deposit.order_number,
            "method": channel.method,
            "amount": format_amount(deposit.deposit_amount, deposit.currency),
            "currency": deposit.currency.code,
            "instructions": localized(channel.instructions_i18n, request_language()),
            "details": dict(channel.pay_data or {}),
        }
        if channel.network_id is not None:
            data["network"] = channel.network.code
        return PaymentRequest(pay_type="manual", pay_url="", pay_data=_json(data))

    def verify_callback(self, request: CallbackRequest) -> PaymentConfirmation:
        raise _invalid_callback(_("Manual channels take no payment callbacks."))


class SimulatedPaymentProvider:
    """An online provider of our own, for development, demos and tests."""

    name = SIMULATED_PROVIDER

    # --- the provider's side -------------------------------------------------------------------------

    @staticmethod
    def secret() -> bytes:
        return (getattr(settings, "PAYMENT_SIMULATOR_SECRET", "") or settings.SECRET_KEY).encode()

    @classmethod
    def sign(cls, body: bytes) -> str:
        return hmac.new(cls.secret(), body, hashlib.sha256).hexdigest()

    @staticmethod
    def pay_token(order_number: str) -> str:
        return signing.dumps(order_number, salt=PAY_TOKEN_SALT)

    @staticmethod
    def order_number_from_token(token: str) -> str:
        """The order a payment page is for; `signing.BadSignature` for a forged token."""
        return signing.loads(token, salt=PAY_TOKEN_SALT)

    @classmethod
    def payment_notification(cls, deposit: Deposit) -> tuple[bytes, dict[str, str]]:
        """The signed callback the provider sends once the client has paid: (body, headers).

        The payment reference is fixed per order, so paying twice is the same payment.
        """
        body = _json(
            {
                "order_number": deposit.order_number,
                "payment_id": f"SIM-{deposit.order_number}",
                "amount": format_amount(deposit.deposit_amount, deposit.currency),
                "currency": deposit.currency.code,
                "status": "paid",
            }
        ).encode()
        return body, {SIGNATURE_HEADER: cls.sign(body)}

    # --- ours ------------------------------------------------------------------------------------------

    def create_payment(self, deposit: Deposit) -> PaymentRequest:
        path = reverse("deposit_payments:simulated_pay", args=[self.pay_token(deposit.order_number)])
        data = {
            "order_number": deposit.order_number,
            "amount": format_amount(deposit.deposit_amount, deposit.currency),
            "currency": deposit.currency.code,
        }
        return PaymentRequest(pay_type="redirect", pay_url=settings.PORTAL_URL.rstrip("/") + path, pay_data=_json(data))

    def verify_callback(self, request: CallbackRequest) -> PaymentConfirmation:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not hmac.compare_digest(signature, self.sign(request.body)):
            raise _invalid_callback(_("The payment callback is not signed by the provider."))
        try:
            data = json.loads(request.body)
            if data["status"] != "paid":
                raise ValueError("not paid")
            amount = Decimal(str(data["amount"]))
            return PaymentConfirmation(
                order_number=str(data["order_number"]),
                payment_reference=str(data["payment_id"])[:100],
                amount=amount,
                currency=str(data["currency"]).upper(),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise _invalid_callback(_("The payment callback is malformed.")) from None


_providers: dict[str, PaymentProvider] = {MANUAL_PROVIDER: ManualProvider()}


def register_provider(provider: PaymentProvider) -> None:
    """Make `provider` available to channels naming it; apps call this from `AppConfig.ready()`."""
    _providers[provider.name] = provider


def provider_named(name: str) -> PaymentProvider | None:
    if name == SIMULATED_PROVIDER:
        return SimulatedPaymentProvider() if getattr(settings, "PAYMENT_SIMULATOR_ENABLED", False) else None
    return _providers.get(name)


def provider_for(channel: Channel) -> PaymentProvider:
    """The channel's provider; 409 `payment_provider_unavailable` when it is not installed (or switched off)."""
    provider = provider_named(channel.provider)
    if provider is None:
        raise DepositConflict(
            code=DepositErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
            message=_("This remittance method cannot take payments at the moment."),
            fields={"remittance_id": [_("Its payment provider is not available.")]},
        )
    return provider
