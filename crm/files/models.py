"""Files users upload (KYC documents, receipts, avatars), kept on the private storage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """One uploaded file. `file.name` is its key on the private (`default`) storage; nobody reads it directly.

    Links to it are signed and expire (see `crm.files.services.private_url`).
    """

    class Purpose(models.TextChoices):
        KYC_DOCUMENT = "kyc_document", _("KYC document")
        DEPOSIT_RECEIPT = "deposit_receipt", _("Deposit receipt")
        AVATAR = "avatar", _("Avatar")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stored_files", verbose_name=_("owner")
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.OTHER)
    # No `storage=`: the default storage is looked up lazily, so settings (and tests) can switch it.
    file = models.FileField(_("file"), max_length=500, unique=True)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # For a file the client uploaded straight to the bucket: where, and which version (so a later upload
    # to the same key is a new file). The row's `file` is our checked copy.
    upload_key = models.CharField(_("uploaded to"), max_length=500, blank=True)
    upload_etag = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        indexes = [
            models.Index(fields=["owner", "purpose"], name="stored_file_owner_purpose"),
            models.Index(fields=["owner", "upload_key"], name="stored_file_owner_upload"),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name
