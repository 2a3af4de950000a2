import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from clients.resources.demo import load_demo_data
from clients.resources.models import SoftwareDownload, TradingToolColumn, validate_i18n_iframe_links
from clients.resources.tests.factories import (
    SoftwareDownloadFactory,
    TradingToolColumnFactory,
    TradingToolPopupReadFactory,
)
from crm.users.models import User
from crm.users.tests.factories import UserFactory


@pytest.mark.django_db
def test_a_user_reads_a_popup_once():
    read = TradingToolPopupReadFactory()

    with pytest.raises(IntegrityError):
        TradingToolPopupReadFactory(user=read.user, column=read.column)


@pytest.mark.parametrize(
    "links", [{}, {"zh-CN": "https://a.example/x", "en-US": ""}, {"en-US": "/tools/calendar?lang=en"}]
)
def test_embedded_pages_may_be_https_or_our_paths(links):
    validate_i18n_iframe_links(links)


@pytest.mark.parametrize(
    "links",
    [
        {"zh-CN": "http://a.example/x"},
        {"en-US": "javascript:alert(1)"},
        {"en-US": "//evil.example/x"},
        {"fr-FR": "https://a.example"},
        ["https://a.example"],
    ],
)
def test_other_embedded_pages_are_refused(links):
    with pytest.raises(ValidationError):
        validate_i18n_iframe_links(links)


@pytest.mark.django_db
def test_demo_data_loads_once_with_both_languages():
    load_demo_data()
    load_demo_data()

    downloads = SoftwareDownload.objects.all()
    assert sorted((row.platform, row.os) for row in downloads) == sorted(
        (platform, system) for platform in ["MT4", "MT5"] for system in ["windows", "macos", "android", "ios", "web"]
    )
    assert all(
        row.download_url.startswith(
            ("https://download.mql5.com/", "https://web.metatrader.app/", "https://metatraderweb.app/")
        )
        for row in downloads
    )
    assert sorted(row.title_i18n["en-US"] for row in TradingToolColumn.objects.all()) == [
        "Economic calendar",
        "Market news",
    ]
    for row in [*downloads, *TradingToolColumn.objects.all()]:
        row.full_clean()
    for column in TradingToolColumn.objects.all():
        for texts in [column.title_i18n, column.iframe_link_i18n, column.popup_title_i18n, column.popup_content_i18n]:
            assert texts.keys() == {"zh-CN", "en-US"}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=User.Role.STAFF, is_superuser=True))
    return client


@pytest.mark.django_db
def test_admin_lists_filter_and_search_downloads(staff_client):
    SoftwareDownloadFactory(name_i18n={"zh-CN": "MetaTrader 5 苹果版", "en-US": "MetaTrader 5 for iOS"}, os="ios")
    SoftwareDownloadFactory(platform="MT4", os="windows")

    search = staff_client.get("/admin/resources/softwaredownload/", {"q": "苹果"})
    filtered = staff_client.get("/admin/resources/softwaredownload/", {"platform__exact": "MT4"})

    assert search.status_code == filtered.status_code == 200
    rows = search.context["cl"].result_list
    with translation.override("en"):  # names are shown in the reader's language
        assert [str(row) for row in rows] == ["MetaTrader 5 for iOS (iOS)"]
    with translation.override("zh-hans"):
        assert [str(row) for row in rows] == ["MetaTrader 5 苹果版 (iOS)"]
    assert filtered.context["cl"].result_count == 1
    assert staff_client.get("/admin/resources/softwaredownload/add/").status_code == 200


@pytest.mark.django_db
def test_admin_add_form_refuses_an_http_embedded_page(staff_client):
    response = staff_client.post(
        "/admin/resources/tradingtoolcolumn/add/",
        {
            "title_i18n": '{"zh-CN": "日历"}',
            "iframe_link_i18n": '{"zh-CN": "http://insecure.example/"}',
            "popup_title_i18n": "{}",
            "popup_content_i18n": "{}",
            "position": "0",
            "is_enabled": "on",
        },
    )

    assert response.status_code == 200
    assert "iframe_link_i18n" in response.context["adminform"].form.errors
    assert not TradingToolColumn.objects.exists()


@pytest.mark.django_db
def test_admin_columns_show_how_many_read_the_popup_and_reads_are_read_only(staff_client):
    column = TradingToolColumnFactory(title_i18n={"en-US": "Calendar"})
    read = TradingToolPopupReadFactory(column=column)
    TradingToolPopupReadFactory(column=column)

    columns = staff_client.get("/admin/resources/tradingtoolcolumn/")

    row = columns.context["cl"].result_list[0]
    assert columns.context["cl"].model_admin.popup_read_by(row) == 2
    assert staff_client.get("/admin/resources/tradingtoolpopupread/").status_code == 200
    assert staff_client.get("/admin/resources/tradingtoolpopupread/add/").status_code == 403
    assert staff_client.get(f"/admin/resources/tradingtoolpopupread/{read.pk}/delete/").status_code == 403
