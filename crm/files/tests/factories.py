import hashlib

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from crm.files.models import StoredFile
from crm.users.tests.factories import UserFactory

# The first bytes of each accepted type, and of some that are not.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 48
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 48
WEBP = b"RIFF\x38\x00\x00\x00WEBPVP8 " + b"\x00" * 48
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48
TEXT = b"just some text, not an image\n"


class StoredFileFactory(factory.django.DjangoModelFactory):
    """A PNG really written to the private storage."""

    class Meta:
        model = StoredFile

    class Params:
        content = PNG

    owner = factory.SubFactory(UserFactory)
    purpose = StoredFile.Purpose.KYC_DOCUMENT
    original_name = "passport.png"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    file = factory.LazyAttribute(
        lambda o: default_storage.save(f"files/{o.owner.pk}/{o.original_name}", ContentFile(o.content))
    )
