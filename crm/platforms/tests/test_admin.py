from django.contrib.messages import get_messages
from django.db import transaction

from crm.platforms.models import PlatformOperation, TradingServer
from crm.platforms.services import platform_operation_enqueue
from crm.platforms.tests.factories import PlatformOperationFactory

Status = PlatformOperation.Status
SERVERS = "/admin/platforms/tradingserver/"
OPERATIONS = "/admin/platforms/platformoperation/"


def server_form(server, **changes):
    data = {
        "name": server.name,
        "platform": server.platform,
        "is_demo": "",
        "adapter": server.adapter,
        "connection_settings": '{"host": "mt5.example", "manager_password": "********"}',
        "login_range_start": server.login_range_start,
        "login_range_end": server.login_range_end,
        "currency": server.currency,
        "time_zone_offset_hours": server.time_zone_offset_hours,
        "is_enabled": "on",
    }
    return {**data, **changes}


def test_server_pages_never_show_secrets(staff_client, server):
    listing = staff_client.get(SERVERS, {"q": server.name})
    change = staff_client.get(f"{SERVERS}{server.pk}/change/")
    add = staff_client.get(f"{SERVERS}add/")

    assert listing.status_code == change.status_code == add.status_code == 200
    assert list(listing.context["cl"].result_list) == [server]
    for page in (listing, change):
        assert "Manager-secret-1" not in page.content.decode()
    assert "mt5.example" in change.content.decode()
    assert "********" in change.content.decode()


def test_a_secret_left_masked_keeps_its_value_and_a_new_one_replaces_it(staff_client, server):
    kept = staff_client.post(f"{SERVERS}{server.pk}/change/", server_form(server, currency="EUR"))
    server.refresh_from_db()
    settings_after_keeping = server.connection_settings
    replaced = staff_client.post(
        f"{SERVERS}{server.pk}/change/",
        server_form(server, connection_settings='{"host": "mt5.example", "manager_password": "New-secret-2"}'),
    )
    server.refresh_from_db()

    assert kept.status_code == replaced.status_code == 302
    assert settings_after_keeping == {"host": "mt5.example", "manager_password": "Manager-secret-1"}
    assert server.currency == "EUR"
    assert server.connection_settings == {"host": "mt5.example", "manager_password": "New-secret-2"}


def test_a_login_range_must_go_upwards(staff_client, server):
    response = staff_client.post(
        f"{SERVERS}{server.pk}/change/", server_form(server, login_range_start=600000, login_range_end=500000)
    )

    assert response.status_code == 200
    assert "The first login must be positive and below the last login." in response.content.decode()
    server.refresh_from_db()
    assert server.login_range_start == 500000


def test_operation_pages_render_with_filters_search_and_no_secrets(staff_client, server):
    with transaction.atomic():
        operation = platform_operation_enqueue(
            server=server,
            kind=PlatformOperation.Kind.SET_PASSWORD,
            payload={"login": 500000, "kind": "main", "password": "Hidden-pass-9"},
            idempotency_key="password-change-42",
        )
    PlatformOperationFactory(server=server)

    searched = staff_client.get(OPERATIONS, {"q": "change-42"})
    filtered = staff_client.get(
        OPERATIONS, {"status": "pending", "kind": "set_password", "server__id__exact": server.pk}
    )
    detail = staff_client.get(f"{OPERATIONS}{operation.pk}/change/")

    assert searched.status_code == filtered.status_code == detail.status_code == 200
    assert list(searched.context["cl"].result_list) == [operation]
    assert list(filtered.context["cl"].result_list) == [operation]
    assert "Hidden-pass-9" not in detail.content.decode()
    assert operation.sealed_secrets not in detail.content.decode()
    assert "Sealed until the platform has them." in detail.content.decode()
    assert "password-change-42" in detail.content.decode()
    assert staff_client.get(f"{OPERATIONS}add/").status_code == 403


def test_the_retry_action_queues_failed_operations_again(staff_client, staff, server, sent_tasks):
    failed = PlatformOperationFactory(
        server=server, status=Status.FAILED, attempts=3, error_code="unknown_login", last_error="unknown_login: …"
    )
    done = PlatformOperationFactory(server=server, status=Status.DONE, done_at=failed.created_at)

    response = staff_client.post(
        OPERATIONS, {"action": "retry_failed", "_selected_action": [failed.pk, done.pk]}, follow=True
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.retried_by) == (Status.PENDING, 0, staff)
    assert done.status == Status.DONE
    assert sent_tasks == []  # sent on commit; the test's transaction never commits
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert f"#{done.pk}: Only a failed platform operation can be retried." in texts
    assert "1 operation queued again." in texts


def test_the_give_up_action_erases_the_passwords_of_failed_operations_only(staff_client, staff, server):
    with transaction.atomic():
        failed, pending = (
            platform_operation_enqueue(
                server=server,
                kind=PlatformOperation.Kind.SET_PASSWORD,
                payload={"login": 500000, "kind": "main", "password": "Hidden-pass-9"},
                idempotency_key=key,
            )
            for key in ("password-failed", "password-pending")
        )
    PlatformOperation.objects.filter(pk=failed.pk).update(status=Status.FAILED, error_code="unknown_login")

    response = staff_client.post(
        OPERATIONS, {"action": "erase_secrets", "_selected_action": [failed.pk, pending.pk]}, follow=True
    )

    assert response.status_code == 200
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert (failed.status, failed.sealed_secrets) == (Status.FAILED, "")
    assert pending.sealed_secrets != ""
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert f"#{pending.pk}: Only the secrets of a failed platform operation can be erased." in texts
    assert "1 operation given up." in texts
    assert "Erased." in staff_client.get(f"{OPERATIONS}{failed.pk}/change/").content.decode()


def test_servers_cannot_be_deleted_from_the_back_office(staff_client, server):
    assert staff_client.get(f"{SERVERS}{server.pk}/delete/").status_code == 403
    assert TradingServer.objects.filter(pk=server.pk).exists()
