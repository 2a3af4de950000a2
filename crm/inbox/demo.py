"""Demo messages: a welcome broadcast for clients and one for IBs, so a fresh install's inboxes are not empty.

`load_demo_data()` may run any number of times: messages are found by audience and their English title.
A broadcast reaches the users who had joined when it was published: here, the demo users (`crm.users`
loads its demo data first); users who sign up later do not get these.
"""

from __future__ import annotations

from django.db import transaction

from crm.content.models import Audience
from crm.inbox.models import Message
from crm.inbox.services import message_send

WELCOMES = [
    {
        "audience": Audience.CLIENT,
        "title_i18n": {"zh-CN": "欢迎加入", "en-US": "Welcome aboard"},
        "content_i18n": {
            "zh-CN": "感谢您的注册。完成身份认证后即可开立真实账户、入金并开始交易。如有疑问,请随时联系客服。",
            "en-US": "Thank you for signing up. Complete identity verification to open a live account, "
            "fund it and start trading. Our support team is here if you have any questions.",
        },
        "sender": "Customer service",
    },
    {
        "audience": Audience.IB,
        "title_i18n": {"zh-CN": "欢迎成为合作伙伴", "en-US": "Welcome, partner"},
        "content_i18n": {
            "zh-CN": "您的代理账户已开通。在推广页面复制您的推荐链接或二维码分享给客户,返佣明细可在佣金报表中查看。",
            "en-US": "Your IB account is ready. Share your referral link or QR code from the Referral page; "
            "your rebates appear in the commission report.",
        },
        "sender": "Partner team",
    },
]


@transaction.atomic
def load_demo_data() -> None:
    for row in WELCOMES:
        key = {
            "kind": Message.Kind.BROADCAST,
            "audience": row["audience"],
            "title_i18n__en-US": row["title_i18n"]["en-US"],
        }
        if not Message.objects.filter(**key).exists():
            message_send(**row)
