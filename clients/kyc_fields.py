"""The fields of a KYC module as the client sees them, and checking what the client entered.

Pure reads: nothing here writes. `module_fields` lists a module's fields (for the agreement module,
also one required checkbox per agreement of the template); `module_data_clean` checks a module's
data against them and returns what to store, or the errors by field name.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from clients.models import KycField, KycModule, RegistrationModule
from clients.models.registration import TEXT_KINDS
from crm.configuration.models import Country
from crm.errors import NotFound
from crm.files.models import StoredFile
from crm.files.services import stored_file_from_url
from crm.users.models import User

DEFAULT_MAX_LENGTH = {KycField.Kind.TEXT: 255, KycField.Kind.PHONE: 32, KycField.Kind.EMAIL: 254}
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Own files of these purposes may be handed in as KYC documents.
KYC_FILE_PURPOSES = (StoredFile.Purpose.KYC_DOCUMENT, StoredFile.Purpose.OTHER)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    label_i18n: dict
    is_required: bool
    help_i18n: dict = field(default_factory=dict)
    options: list = field(default_factory=list)
    max_length: int | None = None
    # Agreements: where the document is, per language.
    url_i18n: dict = field(default_factory=dict)
    content_i18n: dict = field(default_factory=dict)

    @property
    def effective_max_length(self) -> int | None:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind)


def module_fields(module: RegistrationModule) -> list[FieldSpec]:
    """The module's fields in order. Works on prefetched rows (`modules__fields`, `agreements`)."""
    fields = [
        FieldSpec(
            name=row.name,
            kind=row.kind,
            label_i18n=row.label_i18n,
            help_i18n=row.help_i18n,
            is_required=row.is_required,
            options=row.options if row.kind == KycField.Kind.SELECT else [],
            max_length=row.max_length if row.kind in TEXT_KINDS else None,
        )
        for row in module.fields.all()
    ]
    if module.module == KycModule.AGREEMENT:
        fields += [
            FieldSpec(
                name=agreement.key,
                kind=KycField.Kind.CHECKBOX,
                label_i18n=agreement.title_i18n,
                is_required=True,
                url_i18n=agreement.url_i18n,
                content_i18n=agreement.content_i18n,
            )
            for agreement in module.template.agreements.all()
        ]
    return fields


class FieldInvalid(Exception):
    pass


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldInvalid(_("Enter text."))
    value = value.strip()
    limit = spec.effective_max_length
    if limit and len(value) > limit:
        raise FieldInvalid(_("At most %(count)d characters.") % {"count": limit})
    return value


def _clean_date(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str) or not DATE_PATTERN.match(value.strip()):
        raise FieldInvalid(_("Enter a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise FieldInvalid(_("Enter a date as YYYY-MM-DD.")) from None


def _clean_select(spec: FieldSpec, value: Any) -> str:
    values = [option["value"] for option in spec.options]
    if not isinstance(value, str) or value not in values:
        raise FieldInvalid(_("Choose one of: %(values)s.") % {"values": ", ".join(values)})
    return value


def _clean_country(spec: FieldSpec, value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not Country.objects.filter(code=code, is_enabled=True).exists():
        raise FieldInvalid(_("Choose a country by its two-letter code (public.settings.list_countries)."))
    return code


def _clean_phone(spec: FieldSpec, value: Any) -> str:
    value = _clean_text(spec, value)
    if not PHONE_PATTERN.match(value):
        raise FieldInvalid(_("Enter a phone number: digits, optionally with a leading + and spaces or dashes."))
    return value


def _clean_email(spec: FieldSpec, value: Any) -> str:
    value = _clean_text(spec, value)
    try:
        validate_email(value)
    except ValidationError:
        raise FieldInvalid(_("Enter a valid e-mail address.")) from None
    return value.lower()


def _clean_checkbox(spec: FieldSpec, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldInvalid(_("Send true or false."))
    if spec.is_required and not value:
        raise FieldInvalid(_("This must be accepted."))
    return value


def _clean_file(spec: FieldSpec, value: Any, *, owner: User) -> int:
    """The id of the owner's stored file the value names (its id, or a link we gave for it)."""
    not_found = FieldInvalid(_("File not found: upload it (public.storage.upload_file) and send its url or id."))
    if isinstance(value, int) and not isinstance(value, bool):
        stored_file = StoredFile.objects.filter(pk=value, owner=owner).first()
    elif isinstance(value, str):
        try:
            stored_file = stored_file_from_url(url=value, owner=owner, purpose=StoredFile.Purpose.KYC_DOCUMENT)
        except NotFound:
            raise not_found from None
    else:
        raise FieldInvalid(_("Send the file's url or id."))
    if stored_file is None:
        raise not_found
    if stored_file.purpose not in KYC_FILE_PURPOSES:
        raise FieldInvalid(_("Upload this file with the purpose kyc_document."))
    return stored_file.pk


CLEANERS = {
    KycField.Kind.TEXT: _clean_text,
    KycField.Kind.DATE: _clean_date,
    KycField.Kind.SELECT: _clean_select,
    KycField.Kind.COUNTRY: _clean_country,
    KycField.Kind.PHONE: _clean_phone,
    KycField.Kind.EMAIL: _clean_email,
    KycField.Kind.CHECKBOX: _clean_checkbox,
}


def empty_value(spec: FieldSpec) -> Any:
    if spec.kind == KycField.Kind.CHECKBOX:
        return False
    if spec.kind == KycField.Kind.FILE:
        return None
    return ""


def module_data_clean(*, fields: list[FieldSpec], data: Any, owner: User) -> tuple[dict, dict[str, list[str]]]:
    """(what to store, errors by field name; `""` for the module as a whole). Stored values: text as
    given (trimmed), dates `YYYY-MM-DD`, countries their code, e-mails lower-cased, files their id."""
    if not isinstance(data, dict):
        return {}, {"": [_("Give this module's fields as an object.")]}
    errors: dict[str, list[str]] = {}
    known = {spec.name for spec in fields}
    for name in data:
        if name not in known:
            errors[str(name)] = [_("Unknown field.")]
    cleaned: dict[str, Any] = {}
    for spec in fields:
        value = data.get(spec.name)
        if _is_blank(value) or (spec.kind == KycField.Kind.CHECKBOX and value is False and spec.is_required):
            if spec.is_required:
                errors[spec.name] = [
                    _("This must be accepted.") if spec.kind == KycField.Kind.CHECKBOX else _("This field is required.")
                ]
            else:
                cleaned[spec.name] = empty_value(spec)
            continue
        try:
            if spec.kind == KycField.Kind.FILE:
                cleaned[spec.name] = _clean_file(spec, value, owner=owner)
            else:
                cleaned[spec.name] = CLEANERS[spec.kind](spec, value)
        except FieldInvalid as error:
            errors[spec.name] = [str(error)]
    return cleaned, errors
