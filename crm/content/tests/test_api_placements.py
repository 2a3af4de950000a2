from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.content.models import Audience, Placement
from crm.content.tests.factories import PlacementFactory
from crm.users.tests.factories import UserFactory

URL = "/api/v1/public/placement/list-placements"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _company_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(NOW, tick=False):
        yield


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["list"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "content"),
    [("zh-CN", "入金赠金", "首次入金送 20%"), ("en-US", "Deposit bonus", "20% on your first deposit")],
)
def test_lists_a_placement_in_the_requested_language(api, language, title, content):
    placement = PlacementFactory(
        slot=Placement.Slot.DASHBOARD_BANNER,
        audience=Audience.CLIENT,
        title_i18n={"zh-CN": "入金赠金", "en-US": "Deposit bonus"},
        content_i18n={"zh-CN": "首次入金送 20%", "en-US": "20% on your first deposit"},
        image="content/banner.png",  # a name only: nothing is written for this test
        link_url="/client/deposit",
        starts_at=datetime(2026, 2, 28, 8, 0, tzinfo=ZoneInfo("UTC")),
        ends_at=datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("UTC")),
        position=3,
    )

    response = api.get(URL, HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "id": placement.pk,
                "slot": "dashboard_banner",
                "audience": "client",
                "title": title,
                "content": content,
                "title_i18n": {"zh-CN": "入金赠金", "en-US": "Deposit bonus"},
                "content_i18n": {"zh-CN": "首次入金送 20%", "en-US": "20% on your first deposit"},
                "image_url": "http://testserver/media/public/content/banner.png",
                "link_url": "/client/deposit",
                "starts_at": "2026-02-28 16:00:00",
                "ends_at": "2026-04-01 00:00:00",
                "position": 3,
            }
        ]
    }


@pytest.mark.django_db
def test_an_external_image_address_is_used_when_nothing_is_uploaded_and_missing_texts_fall_back(api):
    PlacementFactory(
        title_i18n={"zh-CN": "只有中文"}, content_i18n={}, image_url="https://cdn.example.com/a.png", ends_at=None
    )

    row = api.get(URL, HTTP_X_LANGUAGE="en-US").json()["list"][0]

    assert row["image_url"] == "https://cdn.example.com/a.png"
    assert (row["title"], row["content"]) == ("只有中文", "")
    assert row["title_i18n"] == {"zh-CN": "只有中文", "en-US": ""}
    assert row["ends_at"] is None


@pytest.mark.django_db
def test_only_enabled_placements_inside_their_time_window(api):
    PlacementFactory(title_i18n={"zh-CN": "open-ended"}, ends_at=None)
    PlacementFactory(title_i18n={"zh-CN": "ends later"}, ends_at=NOW + timedelta(minutes=1))
    PlacementFactory(title_i18n={"zh-CN": "disabled"}, is_enabled=False)
    PlacementFactory(title_i18n={"zh-CN": "not yet"}, starts_at=NOW + timedelta(seconds=1))
    PlacementFactory(title_i18n={"zh-CN": "over"}, starts_at=NOW - timedelta(days=2), ends_at=NOW)

    assert titles(api.get(URL)) == ["open-ended", "ends later"]


@pytest.mark.django_db
def test_ordered_by_slot_then_position(api):
    PlacementFactory(slot=Placement.Slot.LOGIN_BANNER, position=1, title_i18n={"zh-CN": "login 1"})
    PlacementFactory(slot=Placement.Slot.DASHBOARD_BANNER, position=2, title_i18n={"zh-CN": "dashboard 2"})
    PlacementFactory(slot=Placement.Slot.DASHBOARD_BANNER, position=1, title_i18n={"zh-CN": "dashboard 1"})

    assert titles(api.get(URL)) == ["dashboard 1", "dashboard 2", "login 1"]
    assert titles(api.get(URL, {"slot": "login_banner"})) == ["login 1"]


@pytest.fixture
def by_audience(db):
    for audience in Audience.values:
        PlacementFactory(audience=audience, title_i18n={"zh-CN": audience})


@pytest.mark.django_db
def test_anonymous_callers_and_clients_get_client_placements(api, by_audience):
    assert titles(api.get(URL)) == ["client", "all"]
    assert titles(api.login_as(UserFactory(role="client")).get(URL)) == ["client", "all"]


@pytest.mark.django_db
def test_an_ib_gets_ib_placements(api, by_audience):
    assert titles(api.login_as(UserFactory(role="ib")).get(URL)) == ["ib", "all"]


@pytest.mark.django_db
def test_the_audience_can_be_asked_for(api, by_audience):
    assert titles(api.get(URL, {"audience": "ib"})) == ["ib", "all"]
    assert titles(api.login_as(UserFactory(role="ib")).get(URL, {"audience": "client"})) == ["client", "all"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"audience": "all"}, {"audience": "staff"}, {"slot": "nowhere"}])
def test_refuses_unknown_audiences_and_slots(api, query):
    response = api.get(URL, query, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["fields"]) == list(query)
