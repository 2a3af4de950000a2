from datetime import UTC, datetime, timedelta

import pytest

from crm.users.models import ApiToken, PasswordResetToken
from crm.users.tasks import purge_expired_credentials
from crm.verification.models import EmailCode
from crm.verification.tests.factories import EmailCodeFactory

NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_purges_credentials_dead_for_over_a_week(user, time_machine):
    time_machine.move_to(NOW, tick=False)
    old_day = NOW - timedelta(days=8)
    expired_token = ApiToken.objects.create(user=user, key_hash="a" * 64, expires_at=old_day)
    revoked_token = ApiToken.objects.create(
        user=user, key_hash="b" * 64, expires_at=NOW + timedelta(days=1), revoked_at=old_day
    )
    recently_dead = ApiToken.objects.create(user=user, key_hash="c" * 64, expires_at=NOW - timedelta(days=1))
    live_token = ApiToken.objects.create(user=user, key_hash="d" * 64, expires_at=NOW + timedelta(hours=1))
    PasswordResetToken.objects.create(user=user, token_hash="e" * 64, expires_at=old_day)
    PasswordResetToken.objects.create(user=user, token_hash="f" * 64, expires_at=NOW, used_at=old_day)
    recent_reset = PasswordResetToken.objects.create(user=user, token_hash="g" * 64, expires_at=NOW)
    EmailCodeFactory(created_at=old_day - timedelta(minutes=10), expires_at=old_day)
    live_code = EmailCodeFactory()

    result = purge_expired_credentials.apply().get()

    assert result == {"api_tokens": 2, "password_reset_tokens": 2, "email_codes": 1}
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {recently_dead.pk, live_token.pk}
    assert list(PasswordResetToken.objects.values_list("pk", flat=True)) == [recent_reset.pk]
    assert list(EmailCode.objects.values_list("pk", flat=True)) == [live_code.pk]
    assert expired_token.pk not in ApiToken.objects.values_list("pk", flat=True)
    assert revoked_token.pk not in ApiToken.objects.values_list("pk", flat=True)

    assert purge_expired_credentials.apply().get() == {"api_tokens": 0, "password_reset_tokens": 0, "email_codes": 0}


def test_is_scheduled_by_beat():
    from crm.celery import app

    assert any(
        entry["task"] == "crm.users.tasks.purge_expired_credentials" for entry in app.conf.beat_schedule.values()
    )
    assert "crm.users.tasks.purge_expired_credentials" in app.tasks
