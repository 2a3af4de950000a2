"""The conventions every operation shares: errors, language, schema, throttling, staff 2FA."""

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from crm.api.throttling import RequestRateThrottle
from crm.users.tests.factories import DEFAULT_PASSWORD, UserFactory
from crm.users.tokens import token_issue

LEVERAGES = "/api/v1/public/settings/list-leverages"


@pytest.mark.django_db
def test_validation_errors_use_the_envelope_in_the_requested_language(api):
    english = api.get(LEVERAGES, {"page": 0}, HTTP_X_LANGUAGE="en-US").json()
    chinese = api.get(LEVERAGES, {"page": 0}, HTTP_X_LANGUAGE="zh-CN").json()

    assert english["code"] == chinese["code"] == "invalid_input"
    assert english["message"] == "Some fields are missing or invalid."
    assert chinese["message"] == "部分字段缺失或无效。"
    assert english["fields"] == {"page": ["Ensure this value is greater than or equal to 1."]}
    assert chinese["fields"]["page"] != english["fields"]["page"]


@pytest.mark.django_db
def test_bad_bearer_token_is_401_with_a_code(api):
    response = api.get(LEVERAGES, HTTP_AUTHORIZATION="Bearer nope")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_unknown_method_is_405_in_the_envelope(api):
    response = api.delete(LEVERAGES)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_throttled_requests_get_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(RequestRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})

    statuses = [api.get(LEVERAGES).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = api.get(LEVERAGES)
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    operation = schema.json()["paths"][LEVERAGES]["get"]
    assert operation["operationId"] == "public.settings.list_leverages"
    assert docs.status_code == 200


@pytest.mark.django_db
def test_admin_asks_staff_for_a_totp_code_when_required(client):
    staff = UserFactory(role="staff", is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)

    with override_settings(ADMIN_REQUIRE_OTP=True):
        client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
        without_code = client.get("/admin/")
        client.post(
            "/admin/login/",
            {
                "username": staff.email,
                "password": DEFAULT_PASSWORD,
                "otp_device": device.persistent_id,
                "otp_token": str(totp(device.bin_key)).zfill(6),
            },
        )
        with_code = client.get("/admin/")

    assert without_code.status_code == 302
    assert with_code.status_code == 200


@pytest.mark.django_db
def test_admin_without_otp_requirement_takes_a_password(client):
    staff = UserFactory(role="staff", is_superuser=True)

    with override_settings(ADMIN_REQUIRE_OTP=False):
        client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
        response = client.get("/admin/")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_unknown_api_paths_are_404_in_the_envelope(api, method):
    response = getattr(api, method)("/api/v1/client/no-such/operation", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "There is no such API operation.", "fields": {}}


@pytest.mark.django_db
def test_an_unhandled_exception_is_500_in_the_envelope_with_the_logged_error_id(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("crm.configuration.api.selectors.leverages_enabled", broken)
    # The test client re-raises a view's unhandled exception by default; this test wants the answer.
    client = APIClient(raise_request_exception=False)

    response = client.get(LEVERAGES, HTTP_X_LANGUAGE="en-US")

    body = response.json()
    assert response.status_code == 500
    assert body["code"] == "server_error"
    assert body["fields"] == {}
    assert len(body["error_id"]) == 32
    assert body["error_id"] in body["message"]
    [record] = [record for record in caplog.records if record.name == "crm.api.errors"]
    assert record.levelname == "ERROR"
    assert body["error_id"] in record.getMessage()
    assert record.exc_info[0] is RuntimeError


@pytest.mark.django_db
def test_a_view_bug_still_reaches_the_test_that_hits_it(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("crm.configuration.api.selectors.leverages_enabled", broken)

    with pytest.raises(RuntimeError, match="a bug"):
        api.get(LEVERAGES)


@pytest.mark.django_db
def test_an_unknown_query_parameter_is_refused_by_name(api):
    response = api.get(LEVERAGES, {"page": 1, "pagesize": 5}, HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_input",
        "message": "Some fields are missing or invalid.",
        "fields": {"pagesize": ["Unknown parameter."]},
    }


@pytest.mark.django_db
def test_an_empty_optional_parameter_counts_as_absent_and_the_schema_says_so(api, client):
    response = api.get(LEVERAGES, {"page": "", "size": ""})
    schema = client.get("/api/schema/?format=json").json()

    assert response.status_code == 200
    parameters = {p["name"]: p for p in schema["paths"][LEVERAGES]["get"]["parameters"]}
    assert parameters["page"]["allowEmptyValue"] is True
    assert parameters["page"]["required"] is True  # the wlink spec's flag; the default applies


@pytest.mark.django_db
def test_a_fault_outside_the_view_is_500_in_the_envelope_too(monkeypatch, caplog):
    def broken():
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("crm.configuration.selectors.company_time_zone", broken)
    client = APIClient(raise_request_exception=False)

    response = client.get(LEVERAGES, HTTP_X_LANGUAGE="en-US")

    body = response.json()
    assert response.status_code == 500
    assert body["code"] == "server_error"
    [record] = [record for record in caplog.records if record.name == "crm.api.errors"]
    assert body["error_id"] in record.getMessage()
    assert record.exc_info[0] is RuntimeError


@pytest.mark.django_db
def test_signed_in_callers_are_throttled_by_user_not_by_address(api, user, monkeypatch):
    monkeypatch.setattr(RequestRateThrottle, "THROTTLE_RATES", {"anon": "100/min", "user": "2/min"})
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")

    statuses = [api.get(LEVERAGES).status_code for _ in range(3)]
    api.credentials()
    anonymous = api.get(LEVERAGES).status_code

    assert (statuses, anonymous) == ([200, 200, 429], 200)


@pytest.mark.django_db
def test_a_query_string_with_too_many_fields_is_400_not_500(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"page={index}" for index in range(11))

    response = api.get(f"{LEVERAGES}?{query}", HTTP_X_LANGUAGE="en-US")

    assert response.status_code == 400
    assert response.json() == {"code": "malformed_request", "message": "Malformed request.", "fields": {}}
