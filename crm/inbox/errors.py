"""The message centre's refusals."""

from crm.errors import ApplicationError, NotFound


class InboxError(ApplicationError):
    """Codes: `invalid_message` (400, with the fields at fault) from `message_send`."""


class MessageNotFound(NotFound):
    """`message_not_found` (404): unknown, not addressed to the user, not yet published, or hidden."""
