"""The IB network's operations: ib.user.get_info, ib.client.*, ib.rebate.*, and the referral QR code."""

import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from decimal import Decimal

import pytest
import zxingcpp
from django.utils import timezone

from clients.models import KycStatus
from clients.trading.models import TradingAccount
from clients.trading.tests.factories import TradingAccountFactory, TradingAccountTypeFactory, client_user
from crm.audit.models import AuditEntry
from crm.users.models import User
from ib.models import ClientAttribution, RebateAccount, RebatePayout
from ib.services import ib_promote, rebate_account_add
from ib.tests.factories import RebatePlanFactory

pytestmark = pytest.mark.django_db


def promote(*, parent=None, plan=None, **user_fields):
    user = client_user(**user_fields)
    return ib_promote(
        user_id=user.pk, parent_id=parent.pk if parent else None, plan_id=plan.pk if plan else None, promoted_by=None
    )


def client_of(ib, **user_fields) -> User:
    client = client_user(**user_fields)
    ClientAttribution.objects.create(client=client, ib=ib, effective_from=client.date_joined, source="invite_code")
    return client


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response.json()["code"] == code


# --- ib.user.get_info and the QR code ---------------------------------------------------------


def test_get_info_gives_the_referral_code_link_and_qr_code(api, settings):
    settings.PORTAL_URL = "https://portal.broker.example"
    plan = RebatePlanFactory(name="Gold")
    master = promote(name="Master Li")
    ib = promote(parent=master, plan=plan)

    body = api.login_as(ib.user).get("/api/v1/ib/user/get-info").json()

    code = ib.referral_code
    assert body["ReferralCode"] == code
    assert body["ReferralLink"] == f"https://portal.broker.example/accounts/signup/?invite={code}"
    assert body["QRCodeURL"] == f"https://portal.broker.example/referral/{code}/qr.svg"
    assert (body["ib_id"], body["ib_status"], body["parent_ib_name"], body["plan_name"]) == (
        ib.pk,
        "active",
        "Master Li",
        "Gold",
    )
    assert body["is_downline_visible"] is True
    assert body["kyc_status"] == KycStatus.APPROVED
    for key in ("agreement_status", "apply_status", "completed_module", "identity_status", "kyc_data", "kyc_way"):
        assert key in body


def qr_text(svg: bytes) -> list[str]:
    """Decode an SVG of square modules (as the `qrcode` library draws them) with zxing-cpp."""
    root = ElementTree.fromstring(svg)
    rects = [element for element in root.iter() if element.tag.endswith("rect") and element.get("x") is not None]
    size = float(root.get("width").removesuffix("mm"))
    modules = [(float(rect.get("x").removesuffix("mm")), float(rect.get("y").removesuffix("mm"))) for rect in rects]
    side = round(size)
    scale = 4
    pixels = bytearray([255]) * (side * scale) ** 2
    for x, y in modules:
        for row in range(round(y) * scale, round(y) * scale + scale):
            start = row * side * scale + round(x) * scale
            pixels[start : start + scale] = bytes(scale)
    image = memoryview(bytes(pixels)).cast("B", shape=[side * scale, side * scale])
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_qr_code_image_decodes_to_the_referral_link(api, client, settings):
    settings.PORTAL_URL = "https://portal.broker.example"
    ib = promote()
    link = api.login_as(ib.user).get("/api/v1/ib/user/get-info").json()["ReferralLink"]

    response = client.get(f"/referral/{ib.referral_code.lower()}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    assert qr_text(response.content) == [link]
    assert client.get(f"/referral/{ib.referral_code}/qr.svg").content == response.content  # from the cache


def test_the_qr_code_of_an_unknown_code_is_404(client):
    assert client.get("/referral/NOSUCH22/qr.svg").status_code == 404


def test_clients_and_staff_are_refused_the_ib_operations(api):
    refused(api.login_as(client_user()).get("/api/v1/ib/user/get-info"), 403, "not_an_ib")
    refused(api.login_as(client_user(role=User.Role.IB)).get("/api/v1/ib/user/get-info"), 403, "not_an_ib")


# --- ib.client.* ------------------------------------------------------------------------------


@pytest.fixture
def tree():
    """master (plan shows the downline) ─ sub ─ subsub; stranger in another tree."""
    visible = RebatePlanFactory(is_downline_visible=True)
    master = promote(plan=visible)
    sub = promote(parent=master, plan=RebatePlanFactory(is_downline_visible=False))
    subsub = promote(parent=sub)
    stranger = promote(plan=visible)
    return master, sub, subsub, stranger


def listed(api, ib, **query) -> list[int]:
    response = api.login_as(ib.user).get("/api/v1/ib/client/list-clients", query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    if "page" not in query:
        assert body["total"] == len(body["list"])
    return [row["client_user_id"] for row in body["list"]]


def test_an_ib_sees_its_own_clients_and_its_downlines_only_when_its_plan_allows(api, tree):
    master, sub, subsub, stranger = tree
    own = client_of(master)
    subs = client_of(sub)
    subsubs = client_of(subsub)
    strangers = client_of(stranger)

    assert sorted(listed(api, master)) == sorted([own.pk, subs.pk, subsubs.pk])
    assert listed(api, sub) == [subs.pk]  # its plan hides the downline
    assert listed(api, subsub) == [subsubs.pk]  # no plan: own clients only
    assert listed(api, stranger) == [strangers.pk]
    refused(
        api.login_as(stranger.user).get("/api/v1/ib/client/get-client", {"client_user_id": own.pk}),
        404,
        "client_not_found",
    )
    refused(
        api.login_as(sub.user).get("/api/v1/ib/client/get-client", {"client_user_id": subsubs.pk}),
        404,
        "client_not_found",
    )


def test_a_reassigned_client_leaves_the_old_ibs_list(api, tree):
    master, _sub, _subsub, stranger = tree
    client = client_of(stranger)
    ClientAttribution.objects.filter(client=client).update(effective_to=timezone.now())
    ClientAttribution.objects.create(client=client, ib=master, effective_from=timezone.now(), source="staff")

    assert listed(api, stranger) == []
    assert listed(api, master) == [client.pk]


def test_the_client_list_rows_and_filters(api, tree):
    master, sub, _subsub, _stranger = tree
    alice = client_of(master, name="Alice Wong", email="alice@example.com")
    bob = client_of(sub, name="Bob Chen", email="bob@corp.example", kyc_status=KycStatus.PENDING)
    carol = client_of(master, name="Carol Wu", email="carol@example.com", status=User.Status.DISABLED)

    response = api.login_as(master.user).get("/api/v1/ib/client/list-clients", {"client_user_id": bob.pk})
    [row] = response.json()["list"]
    assert row == {
        "client_user_id": bob.pk,
        "client_name": "Bob Chen",
        "email": "bob@corp.example",
        "country": "",
        "kyc_status": "disapproved",
        "kyc_application_status": "pending",
        "status": "enabled",
        "register_datetime": timezone.localtime(bob.date_joined).strftime("%Y-%m-%d %H:%M:%S"),
        "ib_user_id": sub.user_id,
        "level": 1,
        "attributed_at": timezone.localtime(bob.date_joined).strftime("%Y-%m-%d %H:%M:%S"),
    }
    assert listed(api, master, kyc_status="approved") == [carol.pk, alice.pk]
    assert listed(api, master, kyc_status="disapproved") == [bob.pk]
    assert listed(api, master, status="disabled") == [carol.pk]
    assert listed(api, master, email="EXAMPLE.COM") == [carol.pk, alice.pk]
    assert listed(api, master, client_name="wu") == [carol.pk]
    assert listed(api, master, client_name="wong", kyc_status="approved") == [alice.pk]
    assert listed(api, master, size=1, page=2) == [bob.pk]
    assert api.get("/api/v1/ib/client/list-clients", {"size": 1, "page": 2}).json()["total"] == 3


def test_filtering_by_someone_elses_client_is_404(api, tree):
    master, _sub, _subsub, stranger = tree
    strangers = client_of(stranger)

    refused(
        api.login_as(master.user).get("/api/v1/ib/client/list-clients", {"client_user_id": strangers.pk}),
        404,
        "client_not_found",
    )


def test_get_client_shows_the_kyc_but_not_the_documents(api, tree):
    master, _sub, _subsub, _stranger = tree
    client = client_of(master, name="Alice Wong")

    body = api.login_as(master.user).get("/api/v1/ib/client/get-client", {"client_user_id": client.pk}).json()

    assert (body["client_user_id"], body["client_name"], body["email"], body["status"]) == (
        client.pk,
        "Alice Wong",
        client.email,
        "enabled",
    )
    assert (body["kyc_status"], body["ib_user_id"], body["level"]) == ("approved", master.user_id, 0)
    for key in (
        "agreement_status",
        "apply_status",
        "completed_module",
        "identity_status",
        "kyc_approved_at",
        "kyc_data",
        "kyc_way",
        "register_datetime",
    ):
        assert key in body


def test_the_clients_trading_accounts_with_filters(api, tree):
    master, sub, _subsub, stranger = tree
    ecn = TradingAccountTypeFactory(name_i18n={"zh-CN": "ECN账户", "en-US": "ECN Pro"})
    alice = client_of(master, name="Alice Wong")
    bob = client_of(sub, name="Bob Chen")
    alice_standard = TradingAccountFactory(user=alice)
    bob_ecn = TradingAccountFactory(user=bob, account_type=ecn)
    stranger_account = TradingAccountFactory(user=client_of(stranger))
    api.login_as(master.user)

    def accounts(**query):
        response = api.get("/api/v1/ib/client/list-trading-accounts", query)
        assert response.status_code == 200, response.content[:300]
        return [row["id"] for row in response.json()["list"]]

    assert accounts() == [bob_ecn.pk, alice_standard.pk]
    assert accounts(user_name="alice") == [alice_standard.pk]
    assert accounts(trading_account_type_name="ecn") == [bob_ecn.pk]
    assert accounts(trading_account_type_name="ECN账户") == [bob_ecn.pk]
    assert accounts(account_id=str(alice_standard.login)) == [alice_standard.pk]
    row = api.get("/api/v1/ib/client/list-trading-accounts", {"account_id": bob_ecn.login}).json()["list"][0]
    assert (row["account_id"], row["user_name"], row["client_user_id"], row["trading_account_type_name"]) == (
        str(bob_ecn.login),
        "Bob Chen",
        bob.pk,
        "ECN账户",
    )
    assert row["balance"] is None and row["is_state_available"] is False
    for login in (stranger_account.login, "not-a-login"):
        refused(
            api.get("/api/v1/ib/client/list-trading-accounts", {"account_id": login}), 404, "trading_account_not_found"
        )


# --- ib.rebate.* ------------------------------------------------------------------------------


def live_account(ib, **fields) -> TradingAccount:
    return TradingAccountFactory(user=ib.user, **fields)


def test_rebate_accounts_are_listed_and_one_is_enabled_at_a_time(api):
    ib = promote()
    first = rebate_account_add(ib_id=ib.pk, trading_account_id=live_account(ib).pk, added_by=None)
    second = rebate_account_add(ib_id=ib.pk, trading_account_id=live_account(ib).pk, added_by=None)
    assert (first.is_enabled, second.is_enabled) == (True, False)
    api.login_as(ib.user)

    def rows():
        body = api.get("/api/v1/ib/rebate/list-accounts").json()
        return [(row["id"], row["enabled"]) for row in body["list"]]

    assert rows() == [(first.trading_account_id, True), (second.trading_account_id, False)]

    response = api.post(
        "/api/v1/ib/rebate/set-account-enabled", {"id": second.trading_account_id, "enabled": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "account": str(second.trading_account.login),
        "id": second.trading_account_id,
        "enabled": True,
    }
    assert rows() == [(second.trading_account_id, True), (first.trading_account_id, False)]
    entry = AuditEntry.objects.get(action="ib.rebate_account_enabled")
    assert (entry.actor, entry.data) == (
        ib.user,
        {"login": second.trading_account.login, "disabled_logins": [first.trading_account.login]},
    )

    api.post(
        "/api/v1/ib/rebate/set-account-enabled", {"id": second.trading_account_id, "enabled": False}, format="json"
    )
    assert not RebateAccount.objects.filter(ib=ib, is_enabled=True).exists()  # payouts wait
    body = api.get("/api/v1/ib/rebate/list-accounts", {"account_id": first.trading_account.login}).json()
    assert [row["id"] for row in body["list"]] == [first.trading_account_id]


def test_another_ibs_rebate_account_is_404_and_changes_nothing(api):
    ib, other = promote(), promote()
    mine = rebate_account_add(ib_id=ib.pk, trading_account_id=live_account(ib).pk, added_by=None)
    theirs = rebate_account_add(ib_id=other.pk, trading_account_id=live_account(other).pk, added_by=None)
    not_rebate = live_account(ib)
    api.login_as(ib.user)

    for account_id in (theirs.trading_account_id, not_rebate.pk):
        refused(
            api.post("/api/v1/ib/rebate/set-account-enabled", {"id": account_id, "enabled": False}, format="json"),
            404,
            "rebate_account_not_found",
        )
    refused(
        api.get("/api/v1/ib/rebate/list-accounts", {"account_id": theirs.trading_account.login}),
        404,
        "rebate_account_not_found",
    )
    assert set(RebateAccount.objects.values_list("pk", "is_enabled")) == {(mine.pk, True), (theirs.pk, True)}
    assert (
        not AuditEntry.objects.filter(action__startswith="ib.rebate_account_")
        .exclude(action="ib.rebate_account_added")
        .exists()
    )


def test_a_disabled_trading_account_cannot_be_enabled(api):
    ib = promote()
    first = rebate_account_add(ib_id=ib.pk, trading_account_id=live_account(ib).pk, added_by=None)
    second = rebate_account_add(ib_id=ib.pk, trading_account_id=live_account(ib).pk, added_by=None)
    TradingAccount.objects.filter(pk=second.trading_account_id).update(status=TradingAccount.Status.DISABLED)

    response = api.login_as(ib.user).post(
        "/api/v1/ib/rebate/set-account-enabled", {"id": second.trading_account_id, "enabled": True}, format="json"
    )

    refused(response, 409, "rebate_account_not_usable")
    assert RebateAccount.objects.get(is_enabled=True) == first


def test_staff_add_only_the_ibs_own_active_live_accounts():
    from crm.errors import ApplicationError

    ib, other = promote(), promote()
    demo = TradingAccountFactory(
        user=ib.user, account_type=TradingAccountTypeFactory(server__is_demo=True, group="demo\\standard")
    )
    for account, code in [
        (live_account(other), "rebate_account_not_usable"),
        (demo, "rebate_account_not_usable"),
        (live_account(ib, status=TradingAccount.Status.DISABLED), "rebate_account_not_usable"),
    ]:
        with pytest.raises(ApplicationError) as refusal:
            rebate_account_add(ib_id=ib.pk, trading_account_id=account.pk, added_by=None)
        assert refusal.value.code == code
    account = live_account(ib)
    rebate_account_add(ib_id=ib.pk, trading_account_id=account.pk, added_by=None)
    with pytest.raises(ApplicationError) as refusal:
        rebate_account_add(ib_id=ib.pk, trading_account_id=account.pk, added_by=None)
    assert refusal.value.code == "rebate_account_exists"
    assert RebateAccount.objects.count() == 1


def test_rebate_records_are_the_ibs_payouts(api):
    ib, other = promote(), promote()
    account = live_account(ib)
    payout = RebatePayout.objects.create(
        order_number="RB0001",
        ib=ib,
        user=ib.user,
        rebate_account=account,
        amount=Decimal("125.50"),
        currency="USD",
        line_count=3,
    )
    RebatePayout.objects.create(
        order_number="RB0002",
        ib=other,
        user=other.user,
        rebate_account=live_account(other),
        amount=Decimal("9.00"),
        currency="USD",
        line_count=1,
    )

    body = api.login_as(ib.user).get("/api/v1/ib/rebate/list-records", HTTP_X_LANGUAGE="en-US").json()

    assert body == {
        "list": [
            {
                "id": payout.pk,
                "rebate_aggregation_id": payout.pk,
                "order_number": "RB0001",
                "amount": "125.50",
                "currency": "USD",
                "line_count": 3,
                "status": "pending",
                "status_label": "Waiting for approval",
                "account": str(account.login),
                "created_at": timezone.localtime(payout.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                "grant_at": None,
            }
        ],
        "total": 1,
    }
    assert timezone.now() - payout.created_at < timedelta(minutes=1)
