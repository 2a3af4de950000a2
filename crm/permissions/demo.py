"""Demo menus of the client and IB portals with their buttons.

Idempotent: menus and buttons are matched by code and put back to these values.
"""

from __future__ import annotations

from crm.permissions.models import Audience, Menu, MenuButton

# (code, zh-CN, en-US, path, icon, buttons [(code, zh-CN, en-US)], children [same shape])
CLIENT_MENUS = [
    ("dashboard", "首页", "Dashboard", "/dashboard", "home", [], []),
    (
        "accounts",
        "交易账户",
        "Trading accounts",
        "/accounts",
        "wallet",
        [
            ("open_live", "开立真实账户", "Open a live account"),
            ("open_demo", "开立模拟账户", "Open a demo account"),
            ("change_leverage", "修改杠杆", "Change leverage"),
            ("change_password", "修改交易密码", "Change trading password"),
        ],
        [],
    ),
    (
        "funds",
        "资金管理",
        "Funds",
        "/funds",
        "bank",
        [],
        [
            (
                "deposit",
                "入金",
                "Deposit",
                "/funds/deposit",
                "arrow-down",
                [("create", "申请入金", "Request a deposit"), ("cancel", "取消入金", "Cancel a deposit")],
                [],
            ),
            (
                "withdrawal",
                "出金",
                "Withdrawal",
                "/funds/withdrawal",
                "arrow-up",
                [
                    ("create", "申请出金", "Request a withdrawal"),
                    ("manage_payee_accounts", "管理收款账户", "Manage payee accounts"),
                ],
                [],
            ),
            (
                "transfer",
                "内部转账",
                "Transfer",
                "/funds/transfer",
                "swap",
                [("create", "申请转账", "Request a transfer")],
                [],
            ),
        ],
    ),
    (
        "reports",
        "报表",
        "Reports",
        "/reports",
        "chart",
        [("export", "导出", "Export")],
        [
            ("report_deposits", "入金记录", "Deposits", "/reports/deposits", "", [], []),
            ("report_withdrawals", "出金记录", "Withdrawals", "/reports/withdrawals", "", [], []),
            ("report_transfers", "转账记录", "Transfers", "/reports/transfers", "", [], []),
            ("report_trades", "交易记录", "Trades", "/reports/trades", "", [], []),
        ],
    ),
    ("messages", "消息中心", "Messages", "/messages", "bell", [("mark_read", "标记已读", "Mark as read")], []),
    (
        "profile",
        "个人资料",
        "Profile",
        "/profile",
        "user",
        [("edit", "编辑资料", "Edit profile")],
        [
            (
                "kyc",
                "身份认证",
                "Identity verification (KYC)",
                "/profile/kyc",
                "id-card",
                [("submit", "提交认证", "Submit for review"), ("e_verify", "电子认证", "Verify online")],
                [],
            ),
            (
                "security",
                "安全设置",
                "Security",
                "/profile/security",
                "lock",
                [("change_password", "修改登录密码", "Change login password")],
                [],
            ),
        ],
    ),
    ("downloads", "软件下载", "Downloads", "/downloads", "download", [], []),
]

IB_MENUS = [
    ("ib_dashboard", "代理首页", "IB dashboard", "/ib/dashboard", "home", [], []),
    (
        "ib_clients",
        "我的客户",
        "Clients",
        "/ib/clients",
        "team",
        [("export", "导出", "Export"), ("view_detail", "查看详情", "View details")],
        [],
    ),
    (
        "ib_client_accounts",
        "客户账户",
        "Client accounts",
        "/ib/client-accounts",
        "wallet",
        [("export", "导出", "Export")],
        [],
    ),
    (
        "ib_commission_reports",
        "佣金报表",
        "Commission reports",
        "/ib/commissions",
        "chart",
        [("export", "导出", "Export")],
        [],
    ),
    (
        "ib_rebate_accounts",
        "返佣账户",
        "Rebate accounts",
        "/ib/rebate-accounts",
        "bank",
        [
            ("withdraw", "返佣出金", "Withdraw rebates"),
            ("transfer", "转入交易账户", "Transfer to a trading account"),
        ],
        [],
    ),
    ("ib_messages", "消息中心", "Messages", "/ib/messages", "bell", [("mark_read", "标记已读", "Mark as read")], []),
    (
        "ib_referral_link",
        "推广链接",
        "Referral link",
        "/ib/referral",
        "link",
        [("copy_link", "复制链接", "Copy link"), ("download_qr_code", "下载二维码", "Download QR code")],
        [],
    ),
]


def load_menus(*, audience: str, menus: list, parent: Menu | None = None) -> None:
    for position, (code, name_zh, name_en, path, icon, buttons, children) in enumerate(menus):
        menu, _created = Menu.objects.update_or_create(
            code=code,
            defaults={
                "parent": parent,
                "audience": audience,
                "name_i18n": {"zh-CN": name_zh, "en-US": name_en},
                "path": path,
                "icon": icon,
                "position": position,
                "is_enabled": True,
            },
        )
        for button_position, (button_code, button_zh, button_en) in enumerate(buttons):
            MenuButton.objects.update_or_create(
                menu=menu,
                code=button_code,
                defaults={
                    "name_i18n": {"zh-CN": button_zh, "en-US": button_en},
                    "position": button_position,
                    "is_enabled": True,
                },
            )
        load_menus(audience=audience, menus=children, parent=menu)


def load_demo_data() -> None:
    load_menus(audience=Audience.CLIENT, menus=CLIENT_MENUS)
    load_menus(audience=Audience.IB, menus=IB_MENUS)
