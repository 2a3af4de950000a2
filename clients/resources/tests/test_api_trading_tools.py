"""client.trading_tool.get_column_detail, check_popup_read and mark_popup_read."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.resources.models import TradingToolPopupRead
from clients.resources.tests.factories import TradingToolColumnFactory, TradingToolPopupReadFactory
from crm.users.models import User
from crm.users.tests.factories import UserFactory

DETAIL = "/api/v1/client/trading-tool/get-column-detail"
CHECK = "/api/v1/client/trading-tool/check-popup-read"
MARK = "/api/v1/client/trading-tool/mark-popup-read"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def send(api, method, path, data, **headers):
    if method == "get":
        return api.get(path, data, **headers)
    return api.post(path, data, format="json", **headers)


def reads() -> list[tuple]:
    return sorted(TradingToolPopupRead.objects.values_list("user_id", "column_id", "read_at"))


@pytest.fixture
def calendar(db):
    return TradingToolColumnFactory(
        title_i18n={"zh-CN": "财经日历", "en-US": "Economic calendar"},
        iframe_link_i18n={
            "zh-CN": "https://www.mql5.com/zh/economic-calendar",
            "en-US": "https://www.mql5.com/en/economic-calendar",
        },
        popup_title_i18n={"zh-CN": "风险提示", "en-US": "Risk warning"},
        popup_content_i18n={"zh-CN": "数据公布前后波动加剧。", "en-US": "Markets move around releases."},
    )


# --- get_column_detail -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-CN",
            ["财经日历", "https://www.mql5.com/zh/economic-calendar", "风险提示", "数据公布前后波动加剧。"],
        ),
        (
            "en-US",
            [
                "Economic calendar",
                "https://www.mql5.com/en/economic-calendar",
                "Risk warning",
                "Markets move around releases.",
            ],
        ),
    ],
)
def test_gets_a_column_in_the_requested_language(user_api, calendar, language, expected):
    response = user_api.get(DETAIL, {"column_id": calendar.pk}, HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "id": calendar.pk,
        "column_id": calendar.pk,
        "title": expected[0],
        "iframe_link": expected[1],
        "popup_title": expected[2],
        "popup_content": expected[3],
        "language": language,
        "is_read": False,
    }


@pytest.mark.django_db
def test_the_users_language_applies_and_missing_texts_fall_back_to_chinese(api):
    column = TradingToolColumnFactory(
        title_i18n={"zh-CN": "快讯"}, iframe_link_i18n={"zh-CN": "https://www.jin10.com/"}, popup_title_i18n={}
    )

    body = api.login_as(UserFactory(language="en-US")).get(DETAIL, {"column_id": column.pk}).json()

    assert (body["language"], body["title"], body["iframe_link"], body["popup_title"]) == (
        "en-US",
        "快讯",
        "https://www.jin10.com/",
        "",
    )


@pytest.mark.django_db
def test_the_detail_says_whether_this_user_read_the_popup(api, calendar):
    reader, other = UserFactory(), UserFactory()
    TradingToolPopupReadFactory(user=reader, column=calendar)

    assert api.login_as(reader).get(DETAIL, {"column_id": calendar.pk}).json()["is_read"] is True
    assert api.login_as(other).get(DETAIL, {"column_id": calendar.pk}).json()["is_read"] is False


# --- check_popup_read, mark_popup_read -----------------------------------------------------------------------


@pytest.mark.django_db
def test_marking_the_popup_read_is_idempotent_and_per_user(api, user, calendar):
    other = UserFactory()
    api.login_as(user)
    assert api.get(CHECK, {"column_id": calendar.pk}).json() == {"is_read": False}

    with time_machine.travel(NOW, tick=False):
        first = api.post(MARK, {"column_id": calendar.pk}, format="json")
    again = api.post(MARK, {"column_id": calendar.pk}, format="json")

    assert (first.status_code, first.json()) == (200, {})
    assert (again.status_code, again.json()) == (200, {})
    assert reads() == [(user.pk, calendar.pk, NOW)]
    check = api.get(CHECK, {"column_id": calendar.pk})
    assert (check.status_code, check.json()) == (200, {"is_read": True})
    assert api.login_as(other).get(CHECK, {"column_id": calendar.pk}).json() == {"is_read": False}


@pytest.mark.django_db
def test_an_ib_has_the_client_portals_trading_tools(api, calendar):
    ib = UserFactory(role=User.Role.IB)

    response = api.login_as(ib).post(MARK, {"column_id": calendar.pk}, format="json")

    assert response.status_code == 200
    assert [row[:2] for row in reads()] == [(ib.pk, calendar.pk)]


# --- refusals --------------------------------------------------------------------------------------------------


@pytest.fixture
def unknown_columns(db):
    return {"unknown": 999_999, "disabled": TradingToolColumnFactory(is_enabled=False).pk}


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["unknown", "disabled"])
@pytest.mark.parametrize(("method", "path"), [("get", DETAIL), ("get", CHECK), ("post", MARK)])
def test_unknown_and_disabled_columns_are_not_found(user_api, unknown_columns, which, method, path):
    response = send(user_api, method, path, {"column_id": unknown_columns[which]}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response.json() == {
        "code": "trading_tool_column_not_found",
        "message": "No such trading-tools column.",
        "fields": {},
    }
    assert reads() == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", [DETAIL, CHECK])
@pytest.mark.parametrize("query", [{}, {"column_id": ""}, {"column_id": "x"}, {"column_id": "0"}, {"column_id": "1e3"}])
def test_gets_refuse_a_missing_or_malformed_column_id(user_api, path, query):
    response = user_api.get(path, query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert list(response.json()["fields"]) == ["column_id"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"column_id": None}, {"column_id": "x"}, {"column_id": -1}, {"column_id": 2**63}])
def test_mark_refuses_a_missing_or_malformed_column_id(user_api, calendar, body):
    response = user_api.post(MARK, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["column_id"]
    assert reads() == []


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [("get", DETAIL), ("get", CHECK), ("post", MARK)])
def test_staff_and_anonymous_callers_are_refused(api, calendar, method, path):
    anonymous = send(api, method, path, {"column_id": calendar.pk})
    staff = send(api.login_as(UserFactory(role=User.Role.STAFF)), method, path, {"column_id": calendar.pk})

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert (staff.status_code, staff.json()["code"]) == (403, "not_a_portal_user")
    assert reads() == []


@pytest.mark.django_db
def test_mark_takes_json_only(user_api, calendar):
    response = user_api.post(MARK, {"column_id": calendar.pk})  # multipart

    assert response.status_code == 415
    assert reads() == []
