"""The content app's refusals."""

from crm.errors import ApplicationError


class ContentError(ApplicationError):
    """Codes: `popup_not_found` (400, field `ids`)."""
