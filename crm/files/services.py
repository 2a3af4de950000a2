"""Storing uploads on the private storage, signed links to them, and turning links back into files.

Where files live on the private (`default`) storage:
- `files/<owner id>/…`: files we checked (type by their first bytes, size). Only the server writes here.
- `<AWS_UPLOAD_PREFIX>/<owner id>/…` (S3 only): where a client uploads straight to the bucket with the
  credentials of `crm.files.credentials`. The client can overwrite these at any time, so when it hands
  us such a URL we copy the object into `files/…` first and check the copy (`stored_file_from_url`).
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import uuid
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from crm.files.errors import FileRejected, StorageUnavailable, file_not_found
from crm.files.models import StoredFile
from crm.files.selectors import download_token, file_id_from_token
from crm.users.models import User

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

# Enough for every signature below (WEBP needs 12).
SNIFF_BYTES = 16
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


def sniff_content_type(head: bytes) -> str | None:
    """The type the first bytes of a file show, among those we accept; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def allowed_content_types(purpose: str) -> list[str]:
    allowed = list(settings.UPLOAD_CONTENT_TYPES)
    if purpose == StoredFile.Purpose.AVATAR:
        allowed = [content_type for content_type in allowed if content_type in IMAGE_TYPES]
    return allowed


def check_size(size: int) -> None:
    if size > settings.UPLOAD_MAX_BYTES:
        limit = f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g} MB"
        raise FileRejected(
            code="file_too_large",
            message=_("The file is too large; the limit is %(limit)s.") % {"limit": limit},
            fields={"file": [_("At most %(limit)s.") % {"limit": limit}]},
        )


def checked_content_type(*, head: bytes, purpose: str) -> str:
    """The file's real type, read from its first bytes, if we take such files for `purpose`."""
    content_type = sniff_content_type(head)
    allowed = allowed_content_types(purpose)
    if content_type not in allowed:
        kinds = ", ".join(EXTENSIONS.get(kind, kind).lstrip(".").upper() for kind in allowed)
        raise FileRejected(
            code="file_type_not_allowed",
            message=_("This kind of file is not accepted; upload one of: %(kinds)s.") % {"kinds": kinds},
            fields={"file": [_("Accepted: %(kinds)s.") % {"kinds": kinds}]},
        )
    return content_type


def clean_original_name(name: str | None) -> str:
    return posixpath.basename((name or "").replace("\\", "/")).strip()[:255]


@transaction.atomic
def file_store(*, owner: User, upload: File, purpose: str) -> StoredFile:
    """Check an upload (real type by content, size) and keep it on the private storage for `owner`."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    check_size(upload.size)
    content_type = checked_content_type(head=head, purpose=purpose)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)

    name = default_storage.save(f"files/{owner.pk}/{uuid.uuid4().hex}{EXTENSIONS[content_type]}", upload)
    try:
        return StoredFile.objects.create(
            owner=owner,
            purpose=purpose,
            file=name,
            original_name=clean_original_name(upload.name),
            content_type=content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
        )
    except Exception:
        default_storage.delete(name)
        raise


# --- Links ------------------------------------------------------------------------------------------


def uses_object_storage() -> bool:
    return settings.STORAGE_BACKEND == "s3"


def private_url(*, stored_file: StoredFile) -> str:
    """A link that shows the file to whoever holds it, for `PRIVATE_FILE_URL_LIFETIME`.

    On S3 a presigned GET; locally our download view with a signed, timestamped token.
    """
    lifetime = int(settings.PRIVATE_FILE_URL_LIFETIME.total_seconds())
    if uses_object_storage():
        # Served with the type we read from the content, whatever the object's own metadata says.
        parameters = {"ResponseContentType": stored_file.content_type}
        if stored_file.original_name and (disposition := content_disposition_header(False, stored_file.original_name)):
            parameters["ResponseContentDisposition"] = disposition
        return object_storage().url(stored_file.file.name, parameters=parameters, expire=lifetime)
    path = reverse("files:download", kwargs={"token": download_token(stored_file=stored_file)})
    return settings.PORTAL_URL.rstrip("/") + path


def stored_file_from_url(*, url: str, owner: User, purpose: str = StoredFile.Purpose.OTHER) -> StoredFile:
    """The file a client refers to by URL (one we gave it, or one it uploaded straight to the bucket).

    Only `owner`'s files are found; anything else is 404 `file_not_found`. A link we signed still
    names its file after it expired: what matters here is whose file it is, not whether it may be
    downloaded. A direct upload under the owner's upload prefix is checked and registered on first
    use (with `purpose`), and found again afterwards.
    """
    parts = urlsplit((url or "").strip())
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "files:download":
        try:
            file_id = file_id_from_token(match.kwargs["token"])
        except (signing.BadSignature, ValueError):
            raise file_not_found() from None
        stored_file = StoredFile.objects.filter(pk=file_id, owner=owner).first()
    elif uses_object_storage() and (key := object_key_from_url(parts)):
        if key.startswith(upload_prefix_for(owner)):
            stored_file = file_register_direct_upload(owner=owner, key=key, purpose=purpose)
        else:
            stored_file = StoredFile.objects.filter(owner=owner, file=name_for_key(key)).first()
    else:
        stored_file = None
    if stored_file is None:
        raise file_not_found()
    return stored_file


# --- Direct uploads to S3 ---------------------------------------------------------------------------


def object_storage() -> S3Storage:
    """The default storage when it is S3 (`uses_object_storage()`), typed as such."""
    return cast("S3Storage", default_storage)


def upload_prefix_for(user: User) -> str:
    """The bucket folder `user` may upload to directly (the spec's `bucket_dir`)."""
    return f"{settings.AWS_UPLOAD_PREFIX.strip('/')}/{user.pk}/"


def object_key_from_url(parts) -> str:
    """The object key in our bucket a URL names, virtual-hosted (`bucket.s3…/key`) or path-style."""
    path = unquote(parts.path).lstrip("/")
    bucket = object_storage().bucket_name
    if not parts.netloc.startswith(f"{bucket}.") and path.startswith(f"{bucket}/"):
        path = path[len(bucket) + 1 :]
    return path


def name_for_key(key: str) -> str:
    """A storage name (relative to the storage's location) from a bucket key."""
    location = (object_storage().location or "").strip("/")
    return key[len(location) + 1 :] if location and key.startswith(f"{location}/") else key


def key_for_name(name: str) -> str:
    location = (object_storage().location or "").strip("/")
    return f"{location}/{name}" if location else name


@transaction.atomic
def file_register_direct_upload(*, owner: User, key: str, purpose: str) -> StoredFile:
    """The file for a client's direct upload at `key`: copied to `files/…`, checked and registered once.

    The same object (same ETag) gives the same row again; a new upload at the same key a new row.
    """
    client = object_storage().connection.meta.client
    bucket = object_storage().bucket_name
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise file_not_found() from None
        raise storage_unavailable(error) from error
    except BotoCoreError as error:
        raise storage_unavailable(error) from error
    etag = head.get("ETag", "")
    known = StoredFile.objects.filter(owner=owner, upload_key=key, upload_etag=etag).first()
    if known is not None:
        return known
    # Refuse what is too large before paying for a copy of it.
    check_size(head["ContentLength"])

    name = f"files/{owner.pk}/{uuid.uuid4().hex}"
    try:
        client.copy_object(Bucket=bucket, Key=key_for_name(name), CopySource={"Bucket": bucket, "Key": key})
        # From here on we check the copy, which only we can write.
        body = client.get_object(Bucket=bucket, Key=key_for_name(name))["Body"]
        digest, first_bytes, size = hashlib.sha256(), b"", 0
        for chunk in body.iter_chunks(64 * 1024):
            digest.update(chunk)
            if len(first_bytes) < SNIFF_BYTES:
                first_bytes = (first_bytes + chunk)[:SNIFF_BYTES]
            size += len(chunk)
            if size > settings.UPLOAD_MAX_BYTES:
                break
        check_size(size)
        content_type = checked_content_type(head=first_bytes, purpose=purpose)
        return StoredFile.objects.create(
            owner=owner,
            purpose=purpose,
            file=name,
            original_name=clean_original_name(key),
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            upload_key=key,
            upload_etag=etag,
        )
    except Exception as error:
        default_storage.delete(name)
        if isinstance(error, (ClientError, BotoCoreError)):
            raise storage_unavailable(error) from error
        raise


def storage_unavailable(error: Exception) -> StorageUnavailable:
    logger.warning("object storage failed: %s", error)
    return StorageUnavailable(
        code="storage_unavailable", message=_("File storage is unavailable; try again in a moment.")
    )
