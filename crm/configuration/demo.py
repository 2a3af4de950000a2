"""Demo settings: a broker in Shanghai with common countries, currencies and leverages.

Idempotent: running it again puts the same values back and adds nothing.
"""

from __future__ import annotations

from crm.configuration.models import (
    Appearance,
    AppKeys,
    Company,
    Country,
    Currency,
    Leverage,
    LoginLayout,
    PortalLanguage,
    SecuritySettings,
    VerificationScene,
)
from crm.users.models import Language, PasswordStrength

# code, Chinese name, English name, phone code
COUNTRIES = [
    ("CN", "中国", "China", "+86"),
    ("HK", "中国香港", "Hong Kong, China", "+852"),
    ("TW", "中国台湾", "Taiwan, China", "+886"),
    ("SG", "新加坡", "Singapore", "+65"),
    ("MY", "马来西亚", "Malaysia", "+60"),
    ("TH", "泰国", "Thailand", "+66"),
    ("VN", "越南", "Vietnam", "+84"),
    ("ID", "印度尼西亚", "Indonesia", "+62"),
    ("PH", "菲律宾", "Philippines", "+63"),
    ("JP", "日本", "Japan", "+81"),
    ("KR", "韩国", "South Korea", "+82"),
    ("AU", "澳大利亚", "Australia", "+61"),
    ("NZ", "新西兰", "New Zealand", "+64"),
    ("GB", "英国", "United Kingdom", "+44"),
    ("DE", "德国", "Germany", "+49"),
    ("FR", "法国", "France", "+33"),
    ("AE", "阿拉伯联合酋长国", "United Arab Emirates", "+971"),
    ("US", "美国", "United States", "+1"),
    ("CA", "加拿大", "Canada", "+1"),
    ("IN", "印度", "India", "+91"),
]

FIAT = {"for_bank_transfer": True, "for_international_wire_transfer": True, "for_cryptocurrency": False}
CRYPTO = {"for_bank_transfer": False, "for_international_wire_transfer": False, "for_cryptocurrency": True}
# code, name, symbol, precision, funding methods
CURRENCIES = [
    ("USD", "US Dollar", "$", 2, FIAT),
    ("EUR", "Euro", "€", 2, FIAT),
    ("GBP", "Pound Sterling", "£", 2, FIAT),
    ("JPY", "Japanese Yen", "¥", 0, FIAT),
    ("CNY", "Chinese Yuan", "¥", 2, {**FIAT, "for_international_wire_transfer": False}),
    ("HKD", "Hong Kong Dollar", "HK$", 2, FIAT),
    ("AUD", "Australian Dollar", "A$", 2, FIAT),
    ("USDT", "Tether", "₮", 6, CRYPTO),
    ("BTC", "Bitcoin", "₿", 8, CRYPTO),
]

LEVERAGES = [1, 10, 50, 100, 200, 300, 400, 500, 1000]


def load_demo_data() -> None:
    Company.objects.update_or_create(
        pk=1,
        defaults={
            "broker_name_i18n": {Language.ZH_CN: "演示经纪商", Language.EN_US: "Demo Broker"},
            "email": "support@broker.example",
            "support_phone": "+86 21 5555 0100",
            "timezone": "Asia/Shanghai",
        },
    )
    Appearance.objects.update_or_create(
        pk=1,
        defaults={
            "client_login_layout": LoginLayout.RIGHT,
            "client_login_copy_i18n": {
                Language.ZH_CN: "全球市场,一个账户即可交易",
                Language.EN_US: "Trade the world's markets from one account",
            },
            "ib_login_layout": LoginLayout.LEFT,
            "ib_login_copy_i18n": {
                Language.ZH_CN: "与我们一起成长:推荐客户,赚取返佣",
                Language.EN_US: "Grow with us: refer clients, earn rebates",
            },
            "admin_login_layout": LoginLayout.CENTERED,
            "admin_login_copy_i18n": {Language.ZH_CN: "演示经纪商后台", Language.EN_US: "Demo Broker back office"},
        },
    )
    SecuritySettings.objects.update_or_create(
        pk=1,
        defaults={
            "email_verification_scenarios": [
                VerificationScene.REGISTER,
                VerificationScene.WITHDRAWAL,
                VerificationScene.TRANSFER,
            ],
            "required_password_strength": PasswordStrength.MEDIUM,
            "google_two_factor_enabled": False,
            "re_captcha_enabled": False,
            "tencent_two_factor_enabled": False,
        },
    )
    # Blank: captcha needs real keys from the providers; staff fill them in the back office.
    AppKeys.objects.get_or_create(pk=1)

    # The default moves to zh-CN: clear any other default first (one default at a time).
    PortalLanguage.objects.filter(is_default=True).exclude(code=Language.ZH_CN).update(is_default=False)
    for position, (code, name, is_default) in enumerate(
        [(Language.ZH_CN, "简体中文", True), (Language.EN_US, "English", False)]
    ):
        PortalLanguage.objects.update_or_create(
            code=code, defaults={"name": name, "is_default": is_default, "is_enabled": True, "position": position}
        )

    for position, (code, name_zh, name_en, phone_code) in enumerate(COUNTRIES):
        Country.objects.update_or_create(
            code=code,
            defaults={
                "name_i18n": {Language.ZH_CN: name_zh, Language.EN_US: name_en},
                "phone_code": phone_code,
                "is_enabled": True,
                "position": position,
            },
        )

    for position, (code, name, symbol, precision, methods) in enumerate(CURRENCIES):
        Currency.objects.update_or_create(
            code=code,
            defaults={"name": name, "symbol": symbol, "precision": precision, "is_enabled": True, "position": position}
            | methods,
        )

    for value in LEVERAGES:
        Leverage.objects.update_or_create(value=value, defaults={"is_enabled": True})
