"""client.withdrawal.*_payout_account(s)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.audit.models import AuditEntry
from crm.configuration.tests.factories import CountryFactory
from crm.users.tests.factories import UserFactory
from funds.models import PayoutAccount
from funds.tests.factories import (
    ETHEREUM_ADDRESS,
    TRON_ADDRESS,
    CryptoNetworkFactory,
    PayoutAccountFactory,
    bank_transfer_info,
    cryptocurrency_info,
    international_wire_info,
)

CREATE = "/api/v1/client/withdrawal/create-payout-account"
UPDATE = "/api/v1/client/withdrawal/update-payout-account"
DELETE = "/api/v1/client/withdrawal/delete-payout-account"
GET = "/api/v1/client/withdrawal/get-payout-account"
LIST = "/api/v1/client/withdrawal/list-payout-accounts"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _setup(settings, db):
    settings.TIME_ZONE = "Asia/Shanghai"
    for code in ("CN", "GB", "HK"):
        CountryFactory(code=code)
    CryptoNetworkFactory()
    CryptoNetworkFactory(erc20=True)
    with time_machine.travel(NOW, tick=False):
        yield


def snapshot() -> list[tuple]:
    """Everything a refused request must leave as it was."""
    return list(
        PayoutAccount.objects.order_by("id").values_list(
            "id", "payment_method", "bank_transfer_info", "cryptocurrency_info", "is_default", "is_deleted", "remark"
        )
    ) + [("audit", AuditEntry.objects.count())]


def error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.json()
    return response.json()


# --- create ---------------------------------------------------------------------------------------


def test_creates_a_bank_account_and_shows_it(user_api, user):
    response = user_api.post(
        CREATE,
        {
            "payment_method": "bank_transfer",
            "bank_transfer_info": bank_transfer_info(country="cn"),
            "cryptocurrency_info": {},
            "international_wire_info": {},
            "remark": "工资卡",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    account = PayoutAccount.objects.get()
    assert response.json() == {"id": account.pk}
    assert (account.owner, account.is_default) == (user, True)
    detail = user_api.get(GET, {"id": account.pk})
    assert detail.status_code == 200
    assert detail.json() == {
        "id": account.pk,
        "payment_method": "bank_transfer",
        "account_holder_name": "张三",
        "bank_transfer_info": {
            "account_holder_name": "张三",
            "bank_name": "中国工商银行",
            "account_number": "6222021001234567890",
            "branch": "上海陆家嘴支行",
            "bank_address": "",
            "country": "CN",
        },
        "international_wire_info": None,
        "cryptocurrency_info": None,
        "is_default": True,
        "remark": "工资卡",
        "created_at": "2026-03-01 12:00:00",
        "updated_at": "2026-03-01 12:00:00",
    }
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (user, "payout_account.created", str(account.pk))


def test_creates_a_wire_account_normalizing_swift_and_iban(user_api):
    info = international_wire_info(swift_code="midl gb22", iban="gb29 nwbk 6016 1331 9268 19")

    response = user_api.post(
        CREATE, {"payment_method": "international_wire_transfer", "international_wire_info": info}, format="json"
    )

    assert response.status_code == 200, response.json()
    account = PayoutAccount.objects.get()
    assert account.international_wire_info == {
        **international_wire_info(),
        "swift_code": "MIDLGB22",
        "iban": "GB29NWBK60161331926819",
    }
    assert account.account_holder_name == "Zhang San"


@pytest.mark.parametrize(
    ("network", "address"), [("TRC20", TRON_ADDRESS), ("erc20", ETHEREUM_ADDRESS), ("ERC20", ETHEREUM_ADDRESS.lower())]
)
def test_creates_a_wallet_checked_against_its_network(user_api, user, network, address):
    response = user_api.post(
        CREATE,
        {"payment_method": "cryptocurrency", "cryptocurrency_info": {"network": network, "wallet_address": address}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    account = PayoutAccount.objects.get()
    assert account.cryptocurrency_info == {
        "network": network.upper(),
        "wallet_address": address,
        "account_holder_name": "",
    }
    assert account.network.code == network.upper()
    assert account.account_holder_name == user.name  # a wallet names no holder: the owner's name
    detail = user_api.get(GET, {"id": account.pk}).json()
    assert detail["cryptocurrency_info"] == account.cryptocurrency_info
    assert detail["bank_transfer_info"] is None


def test_the_first_account_of_a_method_becomes_the_default_later_ones_do_not(user_api, user):
    for _ in range(2):
        user_api.post(
            CREATE, {"payment_method": "bank_transfer", "bank_transfer_info": bank_transfer_info()}, format="json"
        )
    user_api.post(
        CREATE, {"payment_method": "cryptocurrency", "cryptocurrency_info": cryptocurrency_info()}, format="json"
    )

    defaults = list(PayoutAccount.objects.order_by("id").values_list("payment_method", "is_default"))
    assert defaults == [("bank_transfer", True), ("bank_transfer", False), ("cryptocurrency", True)]


def test_creating_with_is_default_takes_it_from_the_previous_default(user_api, user):
    first = PayoutAccountFactory(owner=user, is_default=True)

    response = user_api.post(
        CREATE,
        {"payment_method": "bank_transfer", "bank_transfer_info": bank_transfer_info(), "is_default": True},
        format="json",
    )

    assert response.status_code == 200
    first.refresh_from_db()
    assert first.is_default is False
    assert PayoutAccount.objects.get(pk=response.json()["id"]).is_default is True


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"bank_transfer_info": bank_transfer_info()}, {"payment_method": ["This field is required."]}),
        (
            {"payment_method": "paypal", "bank_transfer_info": bank_transfer_info()},
            {"payment_method": ['"paypal" is not a valid choice.']},
        ),
        ({"payment_method": "bank_transfer"}, {"bank_transfer_info": ["Give the Bank transfer details."]}),
        (
            {"payment_method": "bank_transfer", "bank_transfer_info": {}},
            {"bank_transfer_info": ["Give the Bank transfer details."]},
        ),
        (
            {"payment_method": "bank_transfer", "bank_transfer_info": "6222"},
            {"bank_transfer_info": ['Expected a dictionary of items but got type "str".']},
        ),
        (
            {
                "payment_method": "bank_transfer",
                "bank_transfer_info": bank_transfer_info(),
                "cryptocurrency_info": cryptocurrency_info(),
            },
            {"cryptocurrency_info": ["A Bank transfer account takes bank_transfer_info only."]},
        ),
        (
            {"payment_method": "bank_transfer", "bank_transfer_info": {"bank_name": "ICBC"}},
            {
                "bank_transfer_info.account_holder_name": ["This field is required."],
                "bank_transfer_info.account_number": ["This field is required."],
                "bank_transfer_info.branch": ["This field is required."],
                "bank_transfer_info.country": ["This field is required."],
            },
        ),
        (
            {"payment_method": "bank_transfer", "bank_transfer_info": bank_transfer_info(country="ZZ")},
            {"bank_transfer_info.country": ["Not a country we serve (ISO 3166-1 alpha-2, e.g. CN)."]},
        ),
        (
            {"payment_method": "bank_transfer", "bank_transfer_info": bank_transfer_info(account_number="12#4")},
            {"bank_transfer_info.account_number": ["Use 4–40 letters and digits (spaces and dashes allowed)."]},
        ),
        (
            {
                "payment_method": "international_wire_transfer",
                "international_wire_info": international_wire_info(swift_code="MIDL22"),
            },
            {
                "international_wire_info.swift_code": [
                    "A SWIFT/BIC code has 8 or 11 letters and digits, e.g. BKCHHKHHXXX."
                ]
            },
        ),
        (
            {
                "payment_method": "international_wire_transfer",
                "international_wire_info": international_wire_info(iban="GB28NWBK60161331926819"),
            },
            {"international_wire_info.iban": ["This IBAN is not valid (check its digits)."]},
        ),
        (
            {
                "payment_method": "international_wire_transfer",
                "international_wire_info": international_wire_info(beneficiary_address=""),
            },
            {"international_wire_info.beneficiary_address": ["This field may not be blank."]},
        ),
        (
            {"payment_method": "cryptocurrency", "cryptocurrency_info": cryptocurrency_info(wallet_address="T123")},
            {
                "cryptocurrency_info.wallet_address": [
                    "Not a valid TRC-20 (Tron) address. (e.g. TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE)"
                ]
            },
        ),
        (
            {
                "payment_method": "cryptocurrency",
                "cryptocurrency_info": cryptocurrency_info(network="TRC20", wallet_address=ETHEREUM_ADDRESS),
            },
            {
                "cryptocurrency_info.wallet_address": [
                    "Not a valid TRC-20 (Tron) address. (e.g. TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE)"
                ]
            },
        ),
        (
            {
                "payment_method": "cryptocurrency",
                "cryptocurrency_info": cryptocurrency_info(network="ERC20", wallet_address="0x" + "g" * 40),
            },
            {
                "cryptocurrency_info.wallet_address": [
                    "Not a valid ERC-20 (Ethereum) address. (e.g. 0x742d35Cc6634C0532925a3b844Bc454e4438f44e)"
                ]
            },
        ),
        (
            {"payment_method": "cryptocurrency", "cryptocurrency_info": cryptocurrency_info(network="SOL")},
            {"cryptocurrency_info.network": ["No enabled network has this code."]},
        ),
        (
            {
                "payment_method": "bank_transfer",
                "bank_transfer_info": bank_transfer_info(),
                "remark": "x" * 256,
            },
            {"remark": ["Ensure this field has no more than 255 characters."]},
        ),
    ],
)
def test_bad_details_are_400_naming_the_fields(user_api, body, fields):
    before = snapshot()

    body = error(user_api.post(CREATE, body, format="json", HTTP_X_LANGUAGE="en-US"))

    assert body["code"] == "invalid_input"
    assert body["fields"] == fields
    assert snapshot() == before


def test_a_disabled_network_takes_no_new_wallets(user_api):
    CryptoNetworkFactory(erc20=True).__class__.objects.filter(code="ERC20").update(is_enabled=False)

    body = error(
        user_api.post(
            CREATE,
            {"payment_method": "cryptocurrency", "cryptocurrency_info": cryptocurrency_info(network="ERC20")},
            HTTP_X_LANGUAGE="en-US",
            format="json",
        )
    )

    assert body["fields"] == {"cryptocurrency_info.network": ["No enabled network has this code."]}


def test_only_json_is_accepted(user_api):
    response = user_api.post(CREATE, {"payment_method": "bank_transfer"}, format="multipart")

    assert response.status_code == 415


# --- get ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("whose", ["someone_elses", "deleted", "unknown"])
def test_an_account_that_is_not_yours_is_404(user_api, user, whose):
    account = {
        "someone_elses": lambda: PayoutAccountFactory(),
        "deleted": lambda: PayoutAccountFactory(owner=user, is_deleted=True),
        "unknown": lambda: PayoutAccountFactory(owner=user),
    }[whose]()
    account_id = account.pk + 100 if whose == "unknown" else account.pk

    body = error(user_api.get(GET, {"id": account_id}, HTTP_X_LANGUAGE="en-US"), 404)

    assert body == {
        "code": "payout_account_not_found",
        "message": "Payout account not found.",
        "fields": {"id": ["You have no payout account with this id."]},
    }


@pytest.mark.parametrize("query", [{}, {"id": "x"}, {"id": 0}, {"id": 2**63}])
def test_get_needs_an_id(user_api, query):
    assert list(error(user_api.get(GET, query))["fields"]) == ["id"]


# --- update ---------------------------------------------------------------------------------------


def test_switching_the_default_takes_it_from_the_previous_one(user_api, user):
    old_default = PayoutAccountFactory(owner=user, is_default=True)
    other = PayoutAccountFactory(owner=user)
    wallet = PayoutAccountFactory(owner=user, crypto=True, is_default=True)

    response = user_api.post(UPDATE, {"id": other.pk, "is_default": True}, format="json")

    assert response.status_code == 200
    assert response.json() == {}
    defaults = dict(PayoutAccount.objects.values_list("pk", "is_default"))
    assert defaults == {old_default.pk: False, other.pk: True, wallet.pk: True}  # a default per method
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.data) == ("payout_account.updated", {"changed": ["is_default"]})


def test_unsetting_the_default_leaves_the_method_without_one(user_api, user):
    account = PayoutAccountFactory(owner=user, is_default=True)

    assert user_api.post(UPDATE, {"id": account.pk, "is_default": False}, format="json").status_code == 200

    account.refresh_from_db()
    assert account.is_default is False


def test_updating_replaces_the_details_and_the_remark(user_api, user):
    account = PayoutAccountFactory(owner=user, remark="old", is_default=True)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = user_api.post(
            UPDATE,
            {
                "id": account.pk,
                "bank_transfer_info": bank_transfer_info(account_holder_name="李四", account_number="6222 0000 1111"),
                "cryptocurrency_info": {},
                "international_wire_info": None,
                "remark": "",
            },
            format="json",
        )

    assert response.status_code == 200, response.json()
    detail = user_api.get(GET, {"id": account.pk}).json()
    assert detail["account_holder_name"] == "李四"
    assert detail["bank_transfer_info"]["account_number"] == "6222 0000 1111"
    assert (detail["remark"], detail["is_default"]) == ("", True)
    assert (detail["created_at"], detail["updated_at"]) == ("2026-03-01 12:00:00", "2026-03-01 13:00:00")


def test_an_update_that_changes_nothing_writes_nothing(user_api, user):
    account = PayoutAccountFactory(owner=user, remark="same", is_default=True)

    response = user_api.post(
        UPDATE, {"id": account.pk, "remark": "same", "is_default": True, "bank_transfer_info": {}}, format="json"
    )

    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"bank_transfer_info": bank_transfer_info(country="XX")},
            {"bank_transfer_info.country": ["Not a country we serve (ISO 3166-1 alpha-2, e.g. CN)."]},
        ),
        (
            {"cryptocurrency_info": cryptocurrency_info()},
            {"cryptocurrency_info": ["A Bank transfer account takes bank_transfer_info only."]},
        ),
        ({"is_default": "perhaps"}, {"is_default": ["Must be a valid boolean."]}),
    ],
)
def test_a_refused_update_changes_nothing(user_api, user, body, fields):
    PayoutAccountFactory(owner=user, is_default=True)
    account = PayoutAccountFactory(owner=user)
    before = snapshot()

    response = error(
        user_api.post(UPDATE, {"id": account.pk, "is_default": True, **body}, HTTP_X_LANGUAGE="en-US", format="json")
    )

    assert response["fields"] == fields
    assert snapshot() == before


def test_updating_someone_elses_account_is_404_and_changes_nothing(user_api):
    account = PayoutAccountFactory(is_default=False)
    before = snapshot()

    body = error(user_api.post(UPDATE, {"id": account.pk, "is_default": True, "remark": "mine"}, format="json"), 404)

    assert body["code"] == "payout_account_not_found"
    assert snapshot() == before


# --- delete ---------------------------------------------------------------------------------------


def test_deleting_hides_the_account_but_keeps_its_row(user_api, user):
    account = PayoutAccountFactory(owner=user, is_default=True)

    response = user_api.post(DELETE, {"id": account.pk}, format="json")

    assert (response.status_code, response.json()) == (200, {})
    account.refresh_from_db()
    assert (account.is_deleted, account.is_default, account.deleted_at) == (True, False, NOW)
    assert error(user_api.get(GET, {"id": account.pk}), 404)["code"] == "payout_account_not_found"
    assert user_api.get(LIST).json()["total"] == 0
    assert error(user_api.post(DELETE, {"id": account.pk}, format="json"), 404)["code"] == "payout_account_not_found"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["payout_account.deleted"]


def test_deleting_someone_elses_account_is_404_and_changes_nothing(user_api):
    account = PayoutAccountFactory()
    before = snapshot()

    assert error(user_api.post(DELETE, {"id": account.pk}, format="json"), 404)["code"] == "payout_account_not_found"
    assert snapshot() == before


# --- list -----------------------------------------------------------------------------------------


def test_lists_the_accounts_grouped_by_method_default_first(user_api, user):
    bank_old = PayoutAccountFactory(owner=user)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        bank_default = PayoutAccountFactory(owner=user, is_default=True)
        bank_new = PayoutAccountFactory(owner=user)
        wallet = PayoutAccountFactory(owner=user, crypto=True)
        PayoutAccountFactory(owner=user, is_deleted=True)
        PayoutAccountFactory(wire=True)  # someone else's

    body = user_api.get(LIST).json()

    assert [row["id"] for row in body["bank_transfer"]] == [bank_default.pk, bank_new.pk, bank_old.pk]
    assert [row["id"] for row in body["cryptocurrency"]] == [wallet.pk]
    assert body["international_wire_transfer"] == []
    assert body["total"] == 4
    assert body["cryptocurrency"][0] == {
        "id": wallet.pk,
        "payment_method": "cryptocurrency",
        "account_holder_name": user.name,
        "bank_transfer_info": None,
        "international_wire_info": None,
        "cryptocurrency_info": {"network": "TRC20", "wallet_address": TRON_ADDRESS, "account_holder_name": ""},
        "is_default": False,
        "remark": "",
        "created_at": "2026-03-02 12:00:00",
        "updated_at": "2026-03-02 12:00:00",
    }


def test_lists_by_method_and_creation_time(user_api, user):
    early = PayoutAccountFactory(owner=user)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        late = PayoutAccountFactory(owner=user)
        PayoutAccountFactory(owner=user, wire=True)

    by_method = user_api.get(LIST, {"payment_method": "bank_transfer"}).json()
    from_start = user_api.get(LIST, {"start_time": "2026-03-01 12:00:01"}).json()
    to_end = user_api.get(LIST, {"end_time": "2026-03-01 12:00:00"}).json()

    assert [row["id"] for row in by_method["bank_transfer"]] == [late.pk, early.pk]
    assert (by_method["international_wire_transfer"], by_method["total"]) == ([], 2)
    assert [row["id"] for row in from_start["bank_transfer"]] == [late.pk]
    assert from_start["total"] == 2
    assert [row["id"] for row in to_end["bank_transfer"]] == [early.pk]
    assert to_end["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"payment_method": "all"}, "payment_method"),
        ({"start_time": "2026-03-01"}, "start_time"),
        ({"start_time": "2026-03-02 00:00:00", "end_time": "2026-03-01 00:00:00"}, "end_time"),
    ],
)
def test_bad_list_filters_are_400(user_api, query, field):
    assert list(error(user_api.get(LIST, query))["fields"]) == [field]


def test_payout_account_operations_need_a_portal_user(api):
    staff_api = api.login_as(UserFactory(role="staff"))

    assert error(staff_api.get(LIST), 403)["code"] == "not_a_portal_user"
    assert (
        error(staff_api.post(CREATE, {"payment_method": "bank_transfer"}, format="json"), 403)["code"]
        == "not_a_portal_user"
    )
