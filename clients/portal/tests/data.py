"""Test data the portal's pages need: a registration template, a trading server and an account type."""

from __future__ import annotations

import io
import struct
import zlib

from clients.models import KycField, KycModule, RegistrationAgreement, RegistrationModule, RegistrationTemplate
from clients.trading.models import TradingAccountType
from crm.configuration.models import Country, Leverage
from crm.platforms.models import TradingServer


def registration_template() -> RegistrationTemplate:
    """Identity (name, birth date, document type, country), documents (a photo of the ID), agreement."""
    Country.objects.get_or_create(code="CN", defaults={"name_i18n": {"zh-CN": "中国", "en-US": "China"}})
    template = RegistrationTemplate.objects.create(name="Default", is_default=True)
    identity = RegistrationModule.objects.create(template=template, module=KycModule.IDENTITY, position=0)
    for position, (name, kind, label, extra) in enumerate(
        [
            ("full_name", KycField.Kind.TEXT, {"zh-CN": "姓名", "en-US": "Full name"}, {}),
            ("birth_date", KycField.Kind.DATE, {"zh-CN": "出生日期", "en-US": "Date of birth"}, {}),
            (
                "id_type",
                KycField.Kind.SELECT,
                {"zh-CN": "证件类型", "en-US": "Document type"},
                {
                    "options": [
                        {"value": "passport", "label_i18n": {"zh-CN": "护照", "en-US": "Passport"}},
                        {"value": "id_card", "label_i18n": {"zh-CN": "身份证", "en-US": "ID card"}},
                    ]
                },
            ),
            ("nationality", KycField.Kind.COUNTRY, {"zh-CN": "国籍", "en-US": "Nationality"}, {}),
        ]
    ):
        KycField.objects.create(module=identity, name=name, kind=kind, label_i18n=label, position=position, **extra)
    documents = RegistrationModule.objects.create(
        template=template, module=KycModule.AUTHENTICATION_ACCESSORY, position=1
    )
    KycField.objects.create(
        module=documents,
        name="id_front",
        kind=KycField.Kind.FILE,
        label_i18n={"zh-CN": "证件正面", "en-US": "Front of the document"},
    )
    RegistrationModule.objects.create(template=template, module=KycModule.AGREEMENT, position=2)
    RegistrationAgreement.objects.create(
        template=template,
        key="client_agreement",
        title_i18n={"zh-CN": "我同意客户协议", "en-US": "I accept the client agreement"},
    )
    return template


def account_type(*, is_demo: bool = False, leverages=(100, 200)) -> TradingAccountType:
    server = TradingServer.objects.create(
        name="Demo MT5" if is_demo else "Live MT5",
        platform=TradingServer.Platform.MT5,
        is_demo=is_demo,
        adapter="simulator",
        connection_settings={"seed": 7, "market_seed": 2025},
        login_range_start=800000 if is_demo else 500000,
        login_range_end=899999 if is_demo else 599999,
    )
    account_type = TradingAccountType.objects.create(
        name_i18n={"zh-CN": "标准账户", "en-US": "Standard"}, server=server, group="real\\standard", currencies=["USD"]
    )
    account_type.leverages.set([Leverage.objects.get_or_create(value=value)[0] for value in leverages])
    return account_type


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A small, real PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def png_file(name: str = "id-front.png") -> io.BytesIO:
    upload = io.BytesIO(png_bytes())
    upload.name = name
    return upload
