"""Reads of stored files, and the signed tokens of download links."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from crm.files.errors import LinkExpired, file_not_found
from crm.files.models import StoredFile

DOWNLOAD_SALT = "crm.files.download"


def download_token(*, stored_file: StoredFile) -> str:
    return signing.TimestampSigner(salt=DOWNLOAD_SALT).sign(str(stored_file.pk))


def file_id_from_token(token: str, *, max_age: timedelta | None = None) -> int:
    """The file id a download token carries. Raises `signing.BadSignature` (or `SignatureExpired`)."""
    return int(signing.TimestampSigner(salt=DOWNLOAD_SALT).unsign(token, max_age=max_age))


def stored_file_for_download(*, token: str) -> StoredFile:
    """The file a download token names: 403 `link_expired` past its lifetime, 404 if forged or gone."""
    try:
        file_id = file_id_from_token(token, max_age=settings.PRIVATE_FILE_URL_LIFETIME)
    except signing.SignatureExpired:
        raise LinkExpired(code="link_expired", message=_("This link has expired; ask for the file again.")) from None
    except signing.BadSignature:
        raise file_not_found() from None
    stored_file = StoredFile.objects.filter(pk=file_id).first()
    if stored_file is None:
        raise file_not_found()
    return stored_file
