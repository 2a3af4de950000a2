"""Online payments: the providers' callbacks, and the payment page of the simulated provider."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from crm.errors import ApplicationError
from funds.deposits import services
from funds.deposits.models import Deposit
from funds.deposits.providers import SIMULATED_PROVIDER, SimulatedPaymentProvider, provider_named

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallbackMessage:
    """A callback as the provider sends it (what `verify_callback` reads of a request)."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _error(error: ApplicationError) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message, "fields": error.fields}, status=error.status)


@csrf_exempt  # the provider's server calls it; the signature is what is checked
@require_POST
def payment_callback(request: HttpRequest, provider: str) -> JsonResponse:
    """`POST /payments/callback/<provider>/`: a provider confirms a payment. Answering 200 tells it to stop
    calling; an error makes it call again later (as providers do), which is safe: it is idempotent."""
    try:
        deposit = services.deposit_payment_callback(provider_name=provider, request=request)
    except ApplicationError as error:
        logger.warning("payment callback of %s refused: %s %s", provider, error.code, error.message)
        return _error(error)
    return JsonResponse({"code": "ok", "order_number": deposit.order_number, "status": deposit.status})


@require_http_methods(["GET", "POST"])
def simulated_pay(request: HttpRequest, token: str) -> HttpResponse:
    """The simulated provider's payment page: shows the order, and "pays" it on POST.

    Paying sends the provider's signed callback through the same code as a real one.
    """
    provider = provider_named(SIMULATED_PROVIDER)
    if provider is None:
        raise Http404("The simulated payment provider is off.")
    try:
        order_number = SimulatedPaymentProvider.order_number_from_token(token)
    except signing.BadSignature:
        raise Http404("Unknown payment.") from None
    deposit = (
        Deposit.objects.select_related("currency", "channel", "trading_account")
        .filter(order_number=order_number, channel__provider=SIMULATED_PROVIDER)
        .first()
    )
    if deposit is None:
        raise Http404("Unknown payment.")
    error = None
    if request.method == "POST":
        body, headers = SimulatedPaymentProvider.payment_notification(deposit)
        try:
            deposit = services.deposit_payment_callback(
                provider_name=SIMULATED_PROVIDER, request=CallbackMessage(body=body, headers=headers)
            )
        except ApplicationError as refusal:
            error = refusal.message
    return render(
        request,
        "deposits/simulated_pay.html",
        {"deposit": deposit, "error": error, "is_paid": bool(deposit.payment_reference)},
        status=409 if error else 200,
    )
