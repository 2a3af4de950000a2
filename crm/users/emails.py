"""Sending the e-mails of the core (codes, password resets): plain text plus HTML, localized."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.errors import ApplicationError

logger = logging.getLogger(__name__)


class EmailUnavailable(ApplicationError):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            code="email_unavailable", message=_("The e-mail could not be sent right now; try again in a moment.")
        )


def email_send(*, to: str, subject: str, template: str, context: dict) -> None:
    """Render `templates/emails/<template>.txt` and `.html` in the active language and send them.

    Raises `EmailUnavailable` when the mail server refuses or does not answer."""
    context = {**context, "subject": subject, "portal_url": settings.PORTAL_URL, "LANGUAGE_CODE": get_language()}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        logger.error("Could not send the %s e-mail: %s", template, error)
        raise EmailUnavailable() from error
