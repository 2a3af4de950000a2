"""The download view behind local signed links (`/files/<token>/`)."""

from __future__ import annotations

import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from crm.errors import ApplicationError
from crm.files import selectors
from crm.files.errors import file_not_found


@require_safe
def download(request: HttpRequest, token: str) -> HttpResponse:
    """The file a signed token names. The token is the permission: links go in `<img src>` and e-mails."""
    try:
        stored_file = selectors.stored_file_for_download(token=token)
        try:
            handle = default_storage.open(stored_file.file.name, "rb")
        except FileNotFoundError:
            raise file_not_found() from None
    except ApplicationError as error:
        return JsonResponse({"code": error.code, "message": error.message, "fields": {}}, status=error.status)
    response = FileResponse(
        handle,
        content_type=stored_file.content_type,
        filename=stored_file.original_name or posixpath.basename(stored_file.file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Only the holder's browser may keep it, and not past the link's own lifetime.
    response["Cache-Control"] = "private, max-age=300"
    return response
