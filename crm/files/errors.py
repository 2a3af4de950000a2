"""The files app's refusals, with their stable codes."""

from django.utils.translation import gettext as _

from crm.errors import ApplicationError, Conflict, Forbidden, NotFound


class FileRejected(ApplicationError):
    """400 `file_type_not_allowed` / `file_too_large`, always on the field `file`."""


class FileNotFound(NotFound):
    """404 `file_not_found`: no such file, or not the caller's."""


class LinkExpired(Forbidden):
    """403 `link_expired`: a signed download link past its lifetime."""


class StorageIsLocal(Conflict):
    """409 `storage_is_local`: files go through our upload operation, not straight to a bucket."""


class StorageUnavailable(ApplicationError):
    """503 `storage_unavailable`: the object store or its credential service failed."""

    status = 503


def file_not_found() -> FileNotFound:
    return FileNotFound(code="file_not_found", message=_("File not found."))
