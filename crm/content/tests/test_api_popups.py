from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.content.models import Audience, PopupDismissal
from crm.content.tests.factories import PopupDismissalFactory, PopupFactory
from crm.users.tests.factories import UserFactory

LIST = "/api/v1/public/popup/list-popups"
DISMISS = "/api/v1/public/popup/dismiss-popups"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _company_time(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(NOW, tick=False):
        yield


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["list"]]


def dismissals() -> list[tuple[int, int]]:
    return sorted(PopupDismissal.objects.values_list("user_id", "popup_id"))


# --- list_popups ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "content"), [("zh-CN", "欢迎", "请完成认证"), ("en-US", "Welcome", "Verify")]
)
def test_lists_a_popup_in_the_requested_language(api, language, title, content):
    popup = PopupFactory(
        audience=Audience.ALL,
        title_i18n={"zh-CN": "欢迎", "en-US": "Welcome"},
        content_i18n={"zh-CN": "请完成认证", "en-US": "Verify"},
        link_url="https://broker.example/kyc",
        starts_at=datetime(2026, 3, 1, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        ends_at=None,
    )

    response = api.get(LIST, HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "id": popup.pk,
                "audience": "all",
                "title": title,
                "content": content,
                "title_i18n": {"zh-CN": "欢迎", "en-US": "Welcome"},
                "content_i18n": {"zh-CN": "请完成认证", "en-US": "Verify"},
                "image_url": "",
                "link_url": "https://broker.example/kyc",
                "starts_at": "2026-03-01 00:00:00",
                "ends_at": None,
                "position": 0,
            }
        ]
    }


@pytest.mark.django_db
def test_the_signed_in_users_language_applies_without_a_header(api):
    PopupFactory(title_i18n={"zh-CN": "欢迎", "en-US": "Welcome"})

    assert titles(api.login_as(UserFactory(language="en-US")).get(LIST)) == ["Welcome"]


@pytest.mark.django_db
def test_only_enabled_popups_inside_their_time_window_by_position(api):
    PopupFactory(title_i18n={"zh-CN": "second"}, position=2)
    PopupFactory(title_i18n={"zh-CN": "first"}, position=1, ends_at=NOW + timedelta(hours=1))
    PopupFactory(title_i18n={"zh-CN": "disabled"}, is_enabled=False)
    PopupFactory(title_i18n={"zh-CN": "future"}, starts_at=NOW + timedelta(hours=1))
    PopupFactory(title_i18n={"zh-CN": "expired"}, ends_at=NOW - timedelta(hours=1))

    assert titles(api.get(LIST)) == ["first", "second"]


@pytest.mark.django_db
def test_audience_follows_the_caller_or_the_query(api):
    for audience in Audience.values:
        PopupFactory(audience=audience, title_i18n={"zh-CN": audience})

    assert titles(api.get(LIST)) == ["client", "all"]
    assert titles(api.get(LIST, {"audience": "ib"})) == ["ib", "all"]
    assert titles(api.login_as(UserFactory(role="ib")).get(LIST)) == ["ib", "all"]


@pytest.mark.django_db
def test_popups_a_user_dismissed_are_left_out_for_that_user_only(api):
    kept, dismissed = PopupFactory(title_i18n={"zh-CN": "kept"}), PopupFactory(title_i18n={"zh-CN": "dismissed"})
    user = UserFactory()
    PopupDismissalFactory(user=user, popup=dismissed)
    PopupDismissalFactory(popup=kept)  # someone else's

    assert titles(api.login_as(user).get(LIST)) == ["kept"]
    api.credentials()
    assert titles(api.get(LIST)) == ["kept", "dismissed"]


@pytest.mark.django_db
def test_list_popups_refuses_an_unknown_audience(api):
    response = api.get(LIST, {"audience": "everyone"})

    assert response.status_code == 400
    assert response.json()["fields"].keys() == {"audience"}


# --- dismiss_popups -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dismisses_popups_idempotently(user, user_api):
    first, second = PopupFactory(), PopupFactory()

    response = user_api.post(DISMISS, {"ids": [first.pk, second.pk, first.pk]}, format="json")
    again = user_api.post(DISMISS, {"ids": [second.pk]}, format="json")

    assert (response.status_code, response.json()) == (200, {})
    assert (again.status_code, again.json()) == (200, {})
    assert dismissals() == [(user.pk, first.pk), (user.pk, second.pk)]
    assert titles(user_api.get(LIST)) == []


@pytest.mark.django_db
def test_an_unknown_id_refuses_the_whole_request(user, user_api):
    known = PopupFactory()
    PopupDismissalFactory(user=user, popup=PopupFactory())
    before = dismissals()

    response = user_api.post(DISMISS, {"ids": [known.pk, 999_999]}, format="json", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json() == {
        "code": "popup_not_found",
        "message": "Unknown popups: 999999.",
        "fields": {"ids": ["No popup has the id 999999."]},
    }
    assert dismissals() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "1"}, {"ids": ["x"]}, {"ids": [0]}, {"ids": None}])
def test_dismiss_refuses_bad_ids(user_api, body):
    PopupFactory()

    response = user_api.post(DISMISS, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["fields"]) <= {"ids", "ids.0"}
    assert dismissals() == []


@pytest.mark.django_db
def test_dismiss_needs_a_login(api):
    popup = PopupFactory()

    response = api.post(DISMISS, {"ids": [popup.pk]}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert dismissals() == []


@pytest.mark.django_db
def test_dismiss_takes_json_only(user_api):
    popup = PopupFactory()

    response = user_api.post(DISMISS, {"ids": [popup.pk]})  # multipart

    assert response.status_code == 415
    assert dismissals() == []
