from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from crm.configuration.models import VerificationScene
from crm.errors import ApplicationError, Conflict, Throttled, Unauthorized
from crm.users.hashing import digest
from crm.users.tests.factories import UserFactory
from crm.verification import services
from crm.verification.models import EmailCode
from crm.verification.tests.factories import EmailCodeFactory

NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=ZoneInfo("UTC"))
pytestmark = pytest.mark.django_db


def sent_code(message) -> str:
    return message.subject.rsplit(" ", 1)[-1]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def test_send_stores_only_the_hash_and_mails_the_code(frozen):
    row = services.email_code_send(email="New@Example.com", scene=VerificationScene.REGISTER)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    code = sent_code(message)
    assert len(code) == 6 and code.isdigit()
    assert message.to == ["new@example.com"]
    assert code in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and code in html
    row.refresh_from_db()
    assert (row.email, row.scene, row.user) == ("new@example.com", "register", None)
    assert row.code_hash == digest(code)
    assert code not in row.code_hash
    assert row.created_at == NOW
    assert row.expires_at == NOW + timedelta(minutes=10)
    assert (row.consumed_at, row.superseded_at) == (None, None)


def test_send_speaks_the_active_language(frozen, settings):
    from django.utils import translation

    with translation.override("en"):
        services.email_code_send(email="a@example.com", scene=VerificationScene.REGISTER)

    assert "Registration" in mail.outbox[0].body
    assert "It expires in 10 minutes." in mail.outbox[0].body


def test_a_new_code_supersedes_the_older_ones_of_the_scene(frozen, security):
    user = UserFactory(email="me@example.com")
    older = EmailCodeFactory(email="me@example.com", scene="withdrawal", created_at=NOW - timedelta(minutes=5))
    other_scene = EmailCodeFactory(email="me@example.com", scene="transfer", created_at=NOW - timedelta(minutes=5))

    newer = services.email_code_send(email=None, scene="withdrawal", user=user)

    older.refresh_from_db()
    other_scene.refresh_from_db()
    assert older.superseded_at == NOW
    assert other_scene.superseded_at is None
    assert newer.user == user and newer.email == "me@example.com"


def test_send_refuses_inside_the_resend_interval(frozen, security):
    services.email_code_send(email="a@example.com", scene="register")
    frozen.shift(timedelta(seconds=45))

    with pytest.raises(Throttled) as refusal:
        services.email_code_send(email="a@example.com", scene="register")

    assert refusal.value.code == "email_code_resend_too_soon"
    assert refusal.value.retry_after == 15
    assert EmailCode.objects.count() == 1
    assert len(mail.outbox) == 1


def test_send_again_after_the_interval(frozen, security):
    services.email_code_send(email="a@example.com", scene="register")
    frozen.shift(timedelta(seconds=60))

    services.email_code_send(email="a@example.com", scene="register")

    assert EmailCode.objects.count() == 2
    assert EmailCode.objects.filter(superseded_at=None).count() == 1


def test_send_refuses_past_the_daily_limit(frozen, security):
    for hours_ago in range(10):
        EmailCodeFactory(email="a@example.com", scene="register", created_at=NOW - timedelta(hours=23 - hours_ago))

    with pytest.raises(Throttled) as refusal:
        services.email_code_send(email="a@example.com", scene="register")

    assert refusal.value.code == "email_code_daily_limit"
    assert refusal.value.retry_after == 3600  # the oldest of the ten leaves the 24-hour window
    assert EmailCode.objects.count() == 10
    assert EmailCode.objects.filter(superseded_at__isnull=False).count() == 0
    assert mail.outbox == []


def test_send_for_register_refuses_a_registered_address(frozen):
    UserFactory(email="taken@example.com")

    with pytest.raises(Conflict) as refusal:
        services.email_code_send(email="TAKEN@example.com", scene="register")

    assert refusal.value.code == "email_already_registered"
    assert refusal.value.fields == {"email": ["This e-mail address is already registered."]}
    assert EmailCode.objects.count() == 0


def test_send_for_other_scenes_needs_a_user_and_their_own_address(frozen):
    user = UserFactory(email="me@example.com")

    with pytest.raises(Unauthorized):
        services.email_code_send(email="me@example.com", scene="transfer")
    with pytest.raises(ApplicationError) as mismatch:
        services.email_code_send(email="other@example.com", scene="transfer", user=user)

    assert mismatch.value.code == "email_mismatch"
    assert set(mismatch.value.fields) == {"email"}
    assert EmailCode.objects.count() == 0
    services.email_code_send(email="ME@example.com", scene="transfer", user=user)
    assert mail.outbox[0].to == ["me@example.com"]


def test_a_mail_server_failure_stores_nothing(frozen, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    previous = EmailCodeFactory(email="a@example.com", scene="register", created_at=NOW - timedelta(minutes=5))

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_send(email="a@example.com", scene="register")

    assert (refusal.value.status, refusal.value.code) == (503, "email_unavailable")
    previous.refresh_from_db()
    assert previous.superseded_at is None
    assert EmailCode.objects.count() == 1


def test_consume_spends_the_code_once(frozen):
    row = EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")

    services.email_code_consume(email="ME@example.com", scene="withdrawal", code="654321")

    row.refresh_from_db()
    assert row.consumed_at == NOW
    with pytest.raises(ApplicationError) as again:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")
    assert again.value.code == "email_code_expired"
    assert again.value.fields == {"email_code": ["Expired or already used."]}


def test_consume_refuses_a_wrong_code_and_writes_nothing(frozen):
    row = EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="000000")

    assert (refusal.value.status, refusal.value.code) == (400, "email_code_invalid")
    assert refusal.value.fields == {"email_code": ["The code is incorrect."]}
    row.refresh_from_db()
    assert row.consumed_at is None


def test_consume_names_the_callers_field(frozen):
    EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="1", field="code")

    assert set(refusal.value.fields) == {"code"}


def test_consume_refuses_the_right_code_of_another_scene(frozen):
    row = EmailCodeFactory(email="me@example.com", scene="transfer", code="654321")

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    assert refusal.value.code == "email_code_expired"
    row.refresh_from_db()
    assert row.consumed_at is None


@pytest.mark.parametrize(
    "state",
    [
        {"created_at": NOW - timedelta(minutes=11), "expires_at": NOW - timedelta(minutes=1)},
        {"consumed_at": NOW - timedelta(minutes=1)},
        {"superseded_at": NOW - timedelta(minutes=1)},
    ],
    ids=["expired", "consumed", "superseded"],
)
def test_consume_refuses_dead_codes(frozen, state):
    row = EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321", **state)

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    assert (refusal.value.status, refusal.value.code) == (400, "email_code_expired")
    before = {field: getattr(row, field) for field in ("consumed_at", "superseded_at", "expires_at")}
    row.refresh_from_db()
    assert {field: getattr(row, field) for field in before} == before


def test_consume_refuses_when_there_is_no_code(frozen):
    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    assert refusal.value.code == "email_code_expired"


def test_too_many_wrong_codes_lock_the_scene_until_a_new_code(frozen, security):
    security.email_code_max_attempts = 3
    security.save()
    row = EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")

    for _attempt in range(3):
        with pytest.raises(ApplicationError) as wrong:
            services.email_code_consume(email="me@example.com", scene="withdrawal", code="000000")
        assert wrong.value.code == "email_code_invalid"
    with pytest.raises(Throttled) as locked:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    assert (locked.value.status, locked.value.code) == (429, "email_code_too_many_attempts")
    assert locked.value.retry_after == 600
    row.refresh_from_db()
    assert row.consumed_at is None

    user = UserFactory(email="me@example.com")
    frozen.shift(timedelta(minutes=2))
    services.email_code_send(email=None, scene="withdrawal", user=user)
    code = sent_code(mail.outbox[-1])
    services.email_code_consume(email="me@example.com", scene="withdrawal", code=code)


def test_a_right_code_resets_the_failures(frozen, security):
    security.email_code_max_attempts = 2
    security.save()
    EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")
    with pytest.raises(ApplicationError):
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="000000")

    services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    EmailCodeFactory(email="me@example.com", scene="withdrawal", code="111111", created_at=NOW)
    with pytest.raises(ApplicationError) as wrong:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="000000")
    assert wrong.value.code == "email_code_invalid"
    # Two failures in all, but only one since the success: not locked.
    services.email_code_consume(email="me@example.com", scene="withdrawal", code="111111")


def test_consume_if_required_follows_the_company_settings(frozen, security):
    row = EmailCodeFactory(email="me@example.com", scene="transfer", code="654321")

    assert services.email_code_consume_if_required(email="me@example.com", scene="transfer", code=None) is False

    security.email_verification_scenarios = ["transfer"]
    security.save()
    assert services.email_code_required(scene="transfer") is True
    assert services.email_code_required(scene="withdrawal") is False
    with pytest.raises(ApplicationError) as missing:
        services.email_code_consume_if_required(email="me@example.com", scene="transfer", code="")
    assert missing.value.code == "email_code_required"
    assert missing.value.fields == {"email_code": ["This field is required."]}
    row.refresh_from_db()
    assert row.consumed_at is None

    assert services.email_code_consume_if_required(email="me@example.com", scene="transfer", code="654321") is True
    row.refresh_from_db()
    assert row.consumed_at == NOW


def test_a_code_spent_by_a_concurrent_request_is_refused(frozen, monkeypatch):
    """The conditional UPDATE is what decides: a request that read the code as live before another
    one spent it still cannot spend it."""
    from django.db.models import QuerySet

    row = EmailCodeFactory(email="me@example.com", scene="withdrawal", code="654321")
    original_first = QuerySet.first

    def first_then_spent_elsewhere(queryset):
        found = original_first(queryset)
        if queryset.model is EmailCode:
            EmailCode.objects.filter(pk=row.pk).update(consumed_at=NOW)
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_spent_elsewhere)

    with pytest.raises(ApplicationError) as refusal:
        services.email_code_consume(email="me@example.com", scene="withdrawal", code="654321")

    assert refusal.value.code == "email_code_expired"


def test_purge_deletes_codes_dead_for_longer_than_asked(frozen):
    old = EmailCodeFactory(created_at=NOW - timedelta(days=9), expires_at=NOW - timedelta(days=8))
    recent = EmailCodeFactory(created_at=NOW - timedelta(days=3), expires_at=NOW - timedelta(days=2))
    live = EmailCodeFactory()

    assert services.email_codes_purge_expired(older_than=timedelta(days=7)) == 1

    assert set(EmailCode.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not EmailCode.objects.filter(pk=old.pk).exists()
