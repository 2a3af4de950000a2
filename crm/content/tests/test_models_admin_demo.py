from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from crm.content.demo import load_demo_data
from crm.content.models import Audience, Placement, Popup, validate_link
from crm.content.tests.factories import PlacementFactory, PopupDismissalFactory, PopupFactory
from crm.users.tests.factories import StaffFactory


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [PlacementFactory, PopupFactory])
def test_the_end_must_come_after_the_start(factory):
    now = timezone.now()

    with pytest.raises(IntegrityError):
        factory(starts_at=now, ends_at=now)


@pytest.mark.django_db
def test_a_user_dismisses_a_popup_once():
    dismissal = PopupDismissalFactory()

    with pytest.raises(IntegrityError):
        PopupDismissalFactory(user=dismissal.user, popup=dismissal.popup)


@pytest.mark.parametrize("link", ["/client/deposit", "https://broker.example/a?b=1", "http://x.example"])
def test_links_may_be_web_addresses_or_our_paths(link):
    validate_link(link)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "//evil.example/x", "ftp://x.example", "deposit"])
def test_other_links_are_refused(link):
    with pytest.raises(ValidationError):
        validate_link(link)


@pytest.mark.django_db
def test_demo_data_loads_once_with_both_languages():
    load_demo_data()
    load_demo_data()

    assert Placement.objects.count() == 3
    assert sorted(Popup.objects.values_list("audience", flat=True)) == [Audience.CLIENT, Audience.IB]
    for row in [*Placement.objects.all(), *Popup.objects.all()]:
        row.full_clean()
        assert row.title_i18n.keys() == row.content_i18n.keys() == {"zh-CN", "en-US"}
        assert row.is_live()


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["placement", "popup"])
def test_admin_lists_filter_and_search(staff_client, model):
    factory = PlacementFactory if model == "placement" else PopupFactory
    factory(title_i18n={"zh-CN": "春节活动", "en-US": "Spring festival"})
    factory(title_i18n={"zh-CN": "已结束"}, starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now())

    live = staff_client.get(f"/admin/content/{model}/", {"live": "yes"})
    search = staff_client.get(f"/admin/content/{model}/", {"q": "春节"})
    filtered = staff_client.get(f"/admin/content/{model}/", {"audience": "ib", "is_enabled__exact": "1"})

    assert live.status_code == search.status_code == filtered.status_code == 200
    assert live.context["cl"].result_count == 1
    assert [str(row) for row in search.context["cl"].result_list] == ["Spring festival"]
    assert filtered.context["cl"].result_count == 0


@pytest.mark.django_db
def test_admin_add_form_refuses_an_end_before_the_start(staff_client):
    response = staff_client.post(
        "/admin/content/popup/add/",
        {
            "audience": "all",
            "title_i18n": '{"zh-CN": "x"}',
            "content_i18n": "{}",
            "starts_at_0": "2026-03-02",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2026-03-01",
            "ends_at_1": "00:00:00",
            "position": "0",
            "is_enabled": "on",
        },
    )

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not Popup.objects.exists()


@pytest.mark.django_db
def test_dismissals_are_read_only_in_the_admin(staff_client):
    dismissal = PopupDismissalFactory()

    assert staff_client.get("/admin/content/popupdismissal/").status_code == 200
    assert staff_client.get(f"/admin/content/popupdismissal/{dismissal.pk}/change/").status_code == 200
    assert staff_client.get("/admin/content/popupdismissal/add/").status_code == 403
    assert staff_client.get(f"/admin/content/popupdismissal/{dismissal.pk}/delete/").status_code == 403
