"""Messages to clients (through the message centre) about their accounts and requests.

Sent after the change commits (`transaction.on_commit(..., robust=True)`): a message that cannot be
sent is logged, never undoes the change. Texts are kept here in both portal languages because each
recipient reads them in their own language, whatever the language of the request that caused them.
Clients are told of outcomes (received for review, opened, rejected, failed, applied, changed), not
of the automatic approval that follows their own request at once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from crm.inbox.services import message_send
from crm.users.models import Language, User

SENDER = "Trading accounts"

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "application_received": {
        "title": {Language.ZH_CN: "开户申请已提交", Language.EN_US: "Account application received"},
        "content": {
            Language.ZH_CN: "您的{type}交易账户申请(编号 {application_id})已提交,正在等待审核。",
            Language.EN_US: "Your application for a {type} trading account (no. {application_id}) is waiting "
            "for review.",
        },
    },
    "application_rejected": {
        "title": {Language.ZH_CN: "开户申请未通过", Language.EN_US: "Account application rejected"},
        "content": {
            Language.ZH_CN: "您的{type}交易账户申请(编号 {application_id})未通过。原因:{reason}",
            Language.EN_US: "Your application for a {type} trading account (no. {application_id}) was rejected. "
            "Reason: {reason}",
        },
    },
    "application_failed": {
        "title": {Language.ZH_CN: "开户失败", Language.EN_US: "Account could not be opened"},
        "content": {
            Language.ZH_CN: "您的{type}交易账户(申请编号 {application_id})未能开立。原因:{reason}。您可以重新申请。",
            Language.EN_US: "Your {type} trading account (application no. {application_id}) could not be opened. "
            "Reason: {reason}. You may apply again.",
        },
    },
    "account_opened": {
        "title": {Language.ZH_CN: "交易账户已开立", Language.EN_US: "Trading account opened"},
        "content": {
            Language.ZH_CN: "您的{type}交易账户已开立,账号 {login},服务器 {server}。请使用申请时设置的密码登录。",
            Language.EN_US: "Your {type} trading account is open: login {login} on {server}. Log in with the "
            "password you chose when applying.",
        },
    },
    "leverage_applied": {
        "title": {Language.ZH_CN: "杠杆已修改", Language.EN_US: "Leverage changed"},
        "content": {
            Language.ZH_CN: "交易账户 {login} 的杠杆已由 1:{from_leverage} 改为 1:{to_leverage}。",
            Language.EN_US: "The leverage of trading account {login} is now 1:{to_leverage} (was 1:{from_leverage}).",
        },
    },
    "leverage_rejected": {
        "title": {Language.ZH_CN: "杠杆修改申请未通过", Language.EN_US: "Leverage change rejected"},
        "content": {
            Language.ZH_CN: "交易账户 {login} 修改杠杆为 1:{to_leverage} 的申请未通过。原因:{reason}",
            Language.EN_US: "Your request to change the leverage of trading account {login} to 1:{to_leverage} "
            "was rejected. Reason: {reason}",
        },
    },
    "leverage_failed": {
        "title": {Language.ZH_CN: "杠杆修改失败", Language.EN_US: "Leverage change failed"},
        "content": {
            Language.ZH_CN: "交易账户 {login} 的杠杆未能修改为 1:{to_leverage}。原因:{reason}",
            Language.EN_US: "The leverage of trading account {login} could not be changed to 1:{to_leverage}. "
            "Reason: {reason}",
        },
    },
    "password_changed": {
        "title": {Language.ZH_CN: "交易密码已修改", Language.EN_US: "Trading password changed"},
        "content": {
            Language.ZH_CN: "交易账户 {login} 的{kind}已修改。如非本人操作,请立即联系客服。",
            Language.EN_US: "The {kind} of trading account {login} was changed. If this was not you, contact "
            "support at once.",
        },
    },
}

# Values that differ by language, passed as {language: text}.
PASSWORD_KINDS = {
    "main": {Language.ZH_CN: "交易密码", Language.EN_US: "trading password"},
    "investor": {Language.ZH_CN: "观摩密码", Language.EN_US: "investor (read-only) password"},
}


def _localized(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get(Language.ZH_CN) or value.get(Language.EN_US) or "")
    return str(value)


def render(event: str, params: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(title_i18n, content_i18n) of `event` with `params` (a dict value is taken per language)."""
    texts = TEXTS[event]
    content = {
        language: template.format(**{key: _localized(value, language) for key, value in params.items()})
        for language, template in texts["content"].items()
    }
    return dict(texts["title"]), content


def _send(user_id: int, event: str, params: dict[str, Any]) -> None:
    # Runs after commit, robustly: Django logs a failure here and carries on.
    title_i18n, content_i18n = render(event, params)
    message_send(
        recipients=User.objects.filter(pk=user_id), title_i18n=title_i18n, content_i18n=content_i18n, sender=SENDER
    )


def notify_on_commit(*, user: User | int, event: str, **params: Any) -> None:
    """Tell the user about `event` once the current transaction commits."""
    user_id = user if isinstance(user, int) else user.pk
    transaction.on_commit(partial(_send, user_id, event, params), robust=True)
