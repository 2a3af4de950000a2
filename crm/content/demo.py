"""Demo placements and popups, so a fresh install's portals have something in every slot.

`load_demo_data()` may run any number of times: rows are found by slot/audience and their English title.
"""

from __future__ import annotations

from django.db import transaction

from crm.content.models import Audience, Placement, Popup

PLACEMENTS = [
    {
        "slot": Placement.Slot.DASHBOARD_BANNER,
        "audience": Audience.CLIENT,
        "position": 1,
        "title_i18n": {"zh-CN": "首次入金赠金 20%", "en-US": "20% bonus on your first deposit"},
        "content_i18n": {
            "zh-CN": "活动期间首次入金即可获得 20% 赠金,详情见活动条款。",
            "en-US": "Deposit for the first time during the campaign and get a 20% bonus; terms apply.",
        },
        "link_url": "/client/deposit",
    },
    {
        "slot": Placement.Slot.DASHBOARD_BANNER,
        "audience": Audience.IB,
        "position": 1,
        "title_i18n": {"zh-CN": "推荐新客户,返佣升级", "en-US": "Refer more clients, earn higher rebates"},
        "content_i18n": {
            "zh-CN": "本季度推荐 10 位以上入金客户,返佣标准自动升级。",
            "en-US": "Refer 10 or more funded clients this quarter and your rebate plan upgrades automatically.",
        },
        "link_url": "/ib/referral",
    },
    {
        "slot": Placement.Slot.LOGIN_BANNER,
        "audience": Audience.ALL,
        "position": 1,
        "title_i18n": {"zh-CN": "随时随地,轻松交易", "en-US": "Trade anywhere, anytime"},
        "content_i18n": {
            "zh-CN": "下载 MT5 移动端,行情与账户尽在掌握。",
            "en-US": "Get MT5 on your phone and keep an eye on markets and accounts.",
        },
        "link_url": "",
    },
]

POPUPS = [
    {
        "audience": Audience.CLIENT,
        "position": 1,
        "title_i18n": {"zh-CN": "欢迎加入", "en-US": "Welcome aboard"},
        "content_i18n": {
            "zh-CN": "完成身份认证后即可开立真实账户并入金。",
            "en-US": "Complete identity verification to open a live account and make your first deposit.",
        },
        "link_url": "/client/kyc",
    },
    {
        "audience": Audience.IB,
        "position": 1,
        "title_i18n": {"zh-CN": "欢迎成为合作伙伴", "en-US": "Welcome, partner"},
        "content_i18n": {
            "zh-CN": "复制您的推荐链接或二维码,分享给您的客户。",
            "en-US": "Copy your referral link or QR code and share it with your clients.",
        },
        "link_url": "/ib/referral",
    },
]


@transaction.atomic
def load_demo_data() -> None:
    for row in PLACEMENTS:
        key = {"slot": row["slot"], "audience": row["audience"], "title_i18n__en-US": row["title_i18n"]["en-US"]}
        if not Placement.objects.filter(**key).exists():
            Placement.objects.create(**row)
    for row in POPUPS:
        key = {"audience": row["audience"], "title_i18n__en-US": row["title_i18n"]["en-US"]}
        if not Popup.objects.filter(**key).exists():
            Popup.objects.create(**row)
