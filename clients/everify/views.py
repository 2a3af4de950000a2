"""The simulated provider's page, and the callback every provider reports results to."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from clients.everify.providers import SimulatedEVerifyProvider, provider_for
from clients.models import EVerifySession
from clients.selectors import e_verify_status_of
from clients.services.everify import e_verify_result_apply
from crm.errors import ApplicationError


@require_safe
def simulated_page(request: HttpRequest, session_id: str) -> HttpResponse:
    """The "provider's" page: the person presses Approve or Decline. The session id is the key to it,
    as a real provider's link is."""
    session = (
        EVerifySession.objects.select_related("profile__user")
        .filter(session_id=session_id, provider=SimulatedEVerifyProvider.name)
        .first()
    )
    if session is None:
        raise Http404
    provider = SimulatedEVerifyProvider()
    status = e_verify_status_of(session)
    buttons = []
    if status == EVerifySession.Status.PENDING:
        buttons = [
            {
                "label": _("Approve"),
                "is_approval": True,
                "fields": provider.signed_report(session=session, outcome=EVerifySession.Status.APPROVED),
            },
            *(
                {
                    "label": _("Decline: %(reason)s") % {"reason": reason},
                    "is_approval": False,
                    "fields": provider.signed_report(
                        session=session, outcome=EVerifySession.Status.DECLINED, reason_code=code
                    ),
                }
                for code, reason in provider.DECLINE_REASONS.items()
            ),
        ]
    response = render(
        request,
        "clients/e_verify_simulated.html",
        {
            "session": session,
            "status": status,
            "buttons": buttons,
            "callback_url": reverse("e_verify:callback", kwargs={"provider": provider.name}),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # providers' servers post here; the report's own signature is what is checked
@require_POST
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        handler = provider_for(provider)
    except LookupError:
        raise Http404 from None
    try:
        result = handler.parse_callback(request)
        session = e_verify_result_apply(provider_name=handler.name, result=result)
    except ApplicationError as error:
        return JsonResponse({"code": error.code, "message": error.message, "fields": error.fields}, status=error.status)
    return handler.callback_response(request=request, session=session)
