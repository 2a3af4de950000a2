"""Telling a client about the decision on their KYC application: message centre and e-mail."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from clients.models import ClientProfile, KycStatus
from crm.api.languages import django_language_for
from crm.inbox.services import message_send
from crm.users.emails import email_send
from crm.users.models import User

SENDER = "Compliance"

# The message centre keeps every language of a message; these are its texts.
MESSAGES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    KycStatus.APPROVED: (
        {"zh-CN": "您的身份认证已通过", "en-US": "Your identity verification is approved"},
        {
            "zh-CN": "您的开户资料已审核通过，现在可以使用账户的全部功能，包括开立真实交易账户。",
            "en-US": "Your account application is approved: every service of your account is open to you, "
            "live trading accounts included.",
        },
    ),
    KycStatus.DISAPPROVED: (
        {"zh-CN": "您的身份认证未通过", "en-US": "Your identity verification was not approved"},
        {
            "zh-CN": "您的开户资料未通过审核。原因：{reason}\n请修改后重新提交。",
            "en-US": "Your account application was not approved. Reason: {reason}\nPlease correct it and send it "
            "again.",
        },
    ),
}


def kyc_decision_notify(*, profile: ClientProfile, decision: str, reason: str, by: User | None) -> None:
    """Inside the decision's transaction: the message centre message (it stands or falls with the
    decision); the e-mail goes once the decision is committed, from a worker that retries."""
    title_i18n, content_i18n = MESSAGES[decision]
    message_send(
        recipients=[profile.user],
        title_i18n=title_i18n,
        content_i18n={language: text.format(reason=reason) for language, text in content_i18n.items()},
        sender=SENDER,
        sent_by=by,
    )
    transaction.on_commit(partial(_email_enqueue, profile.pk, decision, reason), robust=True)


def _email_enqueue(profile_id: int, decision: str, reason: str) -> None:
    from clients.tasks import send_kyc_decision_email

    send_kyc_decision_email.delay(profile_id=profile_id, decision=decision, reason=reason)


def kyc_decision_email_send(*, profile_id: int, decision: str, reason: str) -> None:
    """E-mail the decision in the client's language (`templates/emails/kyc_<decision>.txt|.html`).
    Raises `EmailUnavailable` when the mail server fails (the task retries)."""
    profile = ClientProfile.objects.select_related("user").get(pk=profile_id)
    user = profile.user
    with translation.override(django_language_for(user.language)):
        subject = (
            _("Your identity verification is approved")
            if decision == KycStatus.APPROVED
            else _("Your identity verification was not approved")
        )
        email_send(
            to=user.email,
            subject=subject,
            template=f"kyc_{decision}",
            context={"name": user.name or user.email, "reason": reason},
        )
