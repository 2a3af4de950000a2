"""Electronic identity-verification providers.

A provider opens a verification session for a client (`create_session` → the page the client is
sent to) and later reports the result to `/e-verify/callback/<provider>/`, where `parse_callback`
checks the report's signature and reads it. `SimulatedEVerifyProvider` is the default: its page is
ours (`/e-verify/simulated/<session_id>/`), where the person presses Approve or Decline, which posts
a report signed with an HMAC of SECRET_KEY. Real providers (Sumsub, Onfido, …) implement the same
interface and are added to `PROVIDERS`.
"""

from __future__ import annotations

import secrets
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.errors import ClientError, ClientErrorCode
from clients.models import EVerifySession


@dataclass(frozen=True)
class ProviderSession:
    """What the provider answers when a session is opened."""

    redirect_url: str
    external_reference: str = ""


@dataclass(frozen=True)
class VerificationResult:
    """A provider's verdict on one session."""

    session_id: str
    outcome: str  # EVerifySession.Status.APPROVED or DECLINED
    reason_code: str = ""
    reason_msg: str = ""
    external_reference: str = ""


def callback_invalid(detail: str) -> ClientError:
    return ClientError(
        code=ClientErrorCode.E_VERIFY_CALLBACK_INVALID,
        message=_("This verification result is not valid: %(detail)s") % {"detail": detail},
    )


class EVerifyProvider(ABC):
    name: ClassVar[str]

    @abstractmethod
    def create_session(self, *, session: EVerifySession) -> ProviderSession:
        """Open the session at the provider (`session` is not saved yet; its `session_id` is set)."""

    @abstractmethod
    def verify_signature(self, *, payload: bytes, signature: str) -> bool:
        """Whether `signature` is the provider's for `payload`."""

    @abstractmethod
    def parse_callback(self, request: HttpRequest) -> VerificationResult:
        """The verdict a callback request carries, once its signature is checked; raises
        `ClientError` (`e_verify_callback_invalid`) for anything unsigned, forged or malformed."""

    def callback_response(self, *, request: HttpRequest, session: EVerifySession) -> HttpResponse:
        """What the provider's server gets back (a webhook wants a 200)."""
        return JsonResponse({"status": session.status})


class SimulatedEVerifyProvider(EVerifyProvider):
    """A provider that runs on our own pages: for demos, tests and trying the flow end to end."""

    name = "simulated"
    SALT = "clients.everify.simulated"
    # A report older than this is refused (the session itself expires long before).
    MAX_AGE_SECONDS = 24 * 60 * 60
    DECLINE_REASONS = {
        "document_unreadable": gettext_lazy("The identity document could not be read."),
        "face_mismatch": gettext_lazy("The face does not match the document's photo."),
    }

    def create_session(self, *, session: EVerifySession) -> ProviderSession:
        path = reverse("e_verify:simulated", kwargs={"session_id": session.session_id})
        return ProviderSession(
            redirect_url=settings.PORTAL_URL.rstrip("/") + path,
            external_reference=f"sim-{secrets.token_hex(8)}",
        )

    @staticmethod
    def payload(*, session_id: str, outcome: str, reason_code: str, issued_at: str) -> bytes:
        return "|".join([session_id, outcome, reason_code, issued_at]).encode()

    def sign(self, payload: bytes) -> str:
        return salted_hmac(self.SALT, payload, algorithm="sha256").hexdigest()

    def verify_signature(self, *, payload: bytes, signature: str) -> bool:
        return constant_time_compare(self.sign(payload), signature or "")

    def signed_report(self, *, session: EVerifySession, outcome: str, reason_code: str = "") -> dict[str, str]:
        """The form fields of one button of the simulated page."""
        fields = {
            "session_id": session.session_id,
            "outcome": outcome,
            "reason_code": reason_code,
            "issued_at": str(int(time.time())),
        }
        fields["signature"] = self.sign(self.payload(**fields))
        return fields

    def parse_callback(self, request: HttpRequest) -> VerificationResult:
        data = request.POST
        fields = {name: data.get(name, "") for name in ("session_id", "outcome", "reason_code", "issued_at")}
        if not self.verify_signature(payload=self.payload(**fields), signature=data.get("signature", "")):
            raise callback_invalid(_("bad signature."))
        try:
            age = time.time() - int(fields["issued_at"])
        except ValueError:
            raise callback_invalid(_("bad time.")) from None
        if not -300 <= age <= self.MAX_AGE_SECONDS:
            raise callback_invalid(_("too old."))
        outcome = fields["outcome"]
        if outcome == EVerifySession.Status.APPROVED and not fields["reason_code"]:
            return VerificationResult(session_id=fields["session_id"], outcome=outcome)
        if outcome == EVerifySession.Status.DECLINED and fields["reason_code"] in self.DECLINE_REASONS:
            return VerificationResult(
                session_id=fields["session_id"],
                outcome=outcome,
                reason_code=fields["reason_code"],
                reason_msg=str(self.DECLINE_REASONS[fields["reason_code"]]),
            )
        raise callback_invalid(_("unknown outcome."))

    def callback_response(self, *, request: HttpRequest, session: EVerifySession) -> HttpResponse:
        # The person pressed the button: send them back to the app.
        approved = session.status == EVerifySession.Status.APPROVED
        return HttpResponseRedirect(session.success_url if approved else session.failed_url, status=303)


PROVIDERS: dict[str, type[EVerifyProvider]] = {SimulatedEVerifyProvider.name: SimulatedEVerifyProvider}


def provider_for(name: str) -> EVerifyProvider:
    """The provider called `name`; `LookupError` for an unknown one."""
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise LookupError(name) from None
