"""client.download.list_software and ib.download.list_software."""

import pytest

from clients.resources.tests.factories import SoftwareDownloadFactory
from crm.content.models import Audience
from crm.users.models import User
from crm.users.tests.factories import UserFactory

CLIENT = "/api/v1/client/download/list-software"
IB = "/api/v1/ib/download/list-software"


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["list"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("portal_url", "role"), [(CLIENT, User.Role.CLIENT), (IB, User.Role.IB)])
@pytest.mark.parametrize(
    ("language", "mt5", "mt4"),
    [("zh-CN", "MetaTrader 5 安卓版", "MetaTrader 4 网页版"), ("en-US", "MetaTrader 5 for Android", "MT4 WebTerminal")],
)
def test_lists_downloads_in_the_requested_language(api, portal_url, role, language, mt5, mt4):
    web = SoftwareDownloadFactory(
        name_i18n={"zh-CN": "MetaTrader 4 网页版", "en-US": "MT4 WebTerminal"},
        platform="MT4",
        os="web",
        version="",
        download_url="https://metatraderweb.app/trade?version=4",
        position=2,
    )
    android = SoftwareDownloadFactory(
        name_i18n={"zh-CN": "MetaTrader 5 安卓版", "en-US": "MetaTrader 5 for Android"},
        platform="MT5",
        os="android",
        version="5.0.4800",
        download_url="https://download.mql5.com/cdn/mobile/mt5/android",
        icon="downloads/mt5.png",  # a name only: nothing is written for this test
        position=1,
    )

    response = api.login_as(UserFactory(role=role)).get(portal_url, HTTP_X_LANGUAGE=language)

    assert response.status_code == 200
    assert response.json() == {
        "list": [
            {
                "id": android.pk,
                "name": mt5,
                "platform": "MT5",
                "os": "android",
                "version": "5.0.4800",
                "download_url": "https://download.mql5.com/cdn/mobile/mt5/android",
                "icon_url": "http://testserver/media/public/downloads/mt5.png",
            },
            {
                "id": web.pk,
                "name": mt4,
                "platform": "MT4",
                "os": "web",
                "version": "",
                "download_url": "https://metatraderweb.app/trade?version=4",
                "icon_url": "",
            },
        ],
        "total": 2,
    }


@pytest.fixture
def by_audience(db):
    for audience in Audience.values:
        SoftwareDownloadFactory(audience=audience, name_i18n={"zh-CN": audience})
    SoftwareDownloadFactory(is_enabled=False, name_i18n={"zh-CN": "disabled"})


@pytest.mark.django_db
def test_each_portal_lists_its_own_and_everyones_enabled_downloads(api, by_audience):
    ib = UserFactory(role=User.Role.IB)

    assert names(api.login_as(UserFactory()).get(CLIENT)) == ["client", "all"]
    assert names(api.login_as(ib).get(IB)) == ["ib", "all"]
    # An IB has the client portal too, which lists the client portal's downloads.
    assert names(api.login_as(ib).get(CLIENT)) == ["client", "all"]


@pytest.mark.django_db
def test_the_list_is_one_query_whatever_its_length(api, django_assert_max_num_queries):
    for _ in range(20):
        SoftwareDownloadFactory()
    api.login_as(UserFactory())
    api.get(CLIENT)  # the company time zone is cached from now on

    with django_assert_max_num_queries(2):  # the token, the downloads
        response = api.get(CLIENT)

    assert response.json()["total"] == 20


@pytest.mark.django_db
def test_the_ib_portal_is_for_ibs_only(api, by_audience):
    response = api.login_as(UserFactory()).get(IB, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 403
    assert response.json() == {
        "code": "not_an_ib",
        "message": "Only introducing brokers have the IB portal.",
        "fields": {},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("portal_url", [CLIENT, IB])
def test_staff_and_anonymous_callers_are_refused(api, portal_url):
    anonymous = api.get(portal_url)
    staff = api.login_as(UserFactory(role=User.Role.STAFF)).get(portal_url)

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    assert (staff.status_code, staff.json()["code"]) == (403, "not_a_portal_user")
