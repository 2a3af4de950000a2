"""Demo downloads (MetaTrader 4 and 5 from MetaQuotes' official addresses) and two trading-tools columns
(MQL5's economic calendar; market news from Jin10 in Chinese and FXStreet in English).

`load_demo_data()` may run any number of times: downloads are found by platform, system and audience,
columns by their English title. A broker replaces these with its own branded builds and licensed pages
(many sites refuse to be framed by others).
"""

from __future__ import annotations

from django.db import transaction

from clients.resources.models import SoftwareDownload, TradingToolColumn
from crm.content.models import Audience

OS = SoftwareDownload.OperatingSystem
METAQUOTES_CDN = "https://download.mql5.com/cdn"

# (platform, system, address): MetaQuotes' own installers, store redirects and web terminals.
DOWNLOADS = [
    ("MT5", OS.WINDOWS, f"{METAQUOTES_CDN}/web/metaquotes.software.corp/mt5/mt5setup.exe"),
    ("MT5", OS.MACOS, f"{METAQUOTES_CDN}/web/metaquotes.software.corp/mt5/MetaTrader5.dmg"),
    ("MT5", OS.ANDROID, f"{METAQUOTES_CDN}/mobile/mt5/android"),
    ("MT5", OS.IOS, f"{METAQUOTES_CDN}/mobile/mt5/ios"),
    ("MT5", OS.WEB, "https://web.metatrader.app/terminal"),
    ("MT4", OS.WINDOWS, f"{METAQUOTES_CDN}/web/metaquotes.software.corp/mt4/mt4setup.exe"),
    ("MT4", OS.MACOS, f"{METAQUOTES_CDN}/web/metaquotes.software.corp/mt4/MetaTrader4.dmg"),
    ("MT4", OS.ANDROID, f"{METAQUOTES_CDN}/mobile/mt4/android"),
    ("MT4", OS.IOS, f"{METAQUOTES_CDN}/mobile/mt4/ios"),
    ("MT4", OS.WEB, "https://metatraderweb.app/trade?version=4"),
]

SYSTEM_NAMES = {
    OS.WINDOWS: ("Windows 版", "for Windows"),
    OS.MACOS: ("macOS 版", "for macOS"),
    OS.ANDROID: ("Android 版", "for Android"),
    OS.IOS: ("iOS 版", "for iOS"),
    OS.WEB: ("网页版", "WebTerminal"),
}

COLUMNS = [
    {
        "position": 1,
        "title_i18n": {"zh-CN": "财经日历", "en-US": "Economic calendar"},
        "iframe_link_i18n": {
            "zh-CN": "https://www.mql5.com/zh/economic-calendar",
            "en-US": "https://www.mql5.com/en/economic-calendar",
        },
        "popup_title_i18n": {"zh-CN": "关于财经日历", "en-US": "About the economic calendar"},
        "popup_content_i18n": {
            "zh-CN": "重要经济数据公布前后行情可能剧烈波动,点差可能扩大,请注意控制仓位与风险。",
            "en-US": "Markets can move sharply and spreads widen around major releases; "
            "size your positions and manage your risk.",
        },
    },
    {
        "position": 2,
        "title_i18n": {"zh-CN": "市场快讯", "en-US": "Market news"},
        "iframe_link_i18n": {
            "zh-CN": "https://www.jin10.com/",
            "en-US": "https://www.fxstreet.com/news",
        },
        "popup_title_i18n": {"zh-CN": "免责声明", "en-US": "Disclaimer"},
        "popup_content_i18n": {
            "zh-CN": "快讯内容来自第三方,仅供参考,不构成任何投资建议。",
            "en-US": "News comes from a third party, is for information only and is not investment advice.",
        },
    },
]


@transaction.atomic
def load_demo_data() -> None:
    for position, (platform, system, address) in enumerate(DOWNLOADS, start=1):
        zh_system, en_system = SYSTEM_NAMES[system]
        product = "MetaTrader 5" if platform == "MT5" else "MetaTrader 4"
        SoftwareDownload.objects.get_or_create(
            platform=platform,
            os=system,
            audience=Audience.ALL,
            defaults={
                "name_i18n": {"zh-CN": f"{product} {zh_system}", "en-US": f"{product} {en_system}"},
                "download_url": address,
                "position": position,
            },
        )
    for row in COLUMNS:
        if not TradingToolColumn.objects.filter(**{"title_i18n__en-US": row["title_i18n"]["en-US"]}).exists():
            TradingToolColumn.objects.create(**row)
