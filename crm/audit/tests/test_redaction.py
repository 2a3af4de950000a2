"""The one place that decides what a secret looks like (crm/redaction.py), and the log filter built on it."""

import io
import logging

import pytest

from crm.redaction import REDACTED, SecretsFilter, redacted, redacted_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("login failed: password=Hunter-22 for a@example.com", f"login failed: password={REDACTED} for a@example.com"),
        ('{"manager_password": "Pass-1", "host": "mt5"}', f'{{"manager_password": "{REDACTED}", "host": "mt5"}}'),
        ("secret=abc&response=tok", f"secret={REDACTED}&response=tok"),
        ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {REDACTED}"),
        ("X-Api-Key: k-9", f"X-Api-Key: {REDACTED}"),
        ("AppSecretKey='s-3'", f"AppSecretKey='{REDACTED}'"),
        ("platform operation 7 failed: unknown_login", "platform operation 7 failed: unknown_login"),
        ("error_code=platform_timeout login=500000", "error_code=platform_timeout login=500000"),
    ],
)
def test_secret_assignments_in_text_are_masked_and_the_rest_kept(text, expected):
    assert redacted_text(text) == expected


def test_redacted_masks_secret_values_at_any_depth_but_not_flags_or_numbers():
    value = {"password": "p", "nested": [{"token": "t", "token_lifetime": 60}], "otp_required": True, "host": "h"}

    assert redacted(value) == {
        "password": REDACTED,
        "nested": [{"token": REDACTED, "token_lifetime": 60}],
        "otp_required": True,
        "host": "h",
    }


def written(logger_name: str, emit) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretsFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_the_filter_masks_messages_and_tracebacks():
    def emit(logger):
        logger.warning("provider said %s", "token=tok-1")
        try:
            raise ValueError("refused api_key=key-2")
        except ValueError:
            logger.exception("call failed")

    output = written("crm.tests.redaction", emit)

    assert "tok-1" not in output and "key-2" not in output
    assert f"provider said token={REDACTED}" in output
    assert f"ValueError: refused api_key={REDACTED}" in output


def test_the_configured_handlers_run_the_filter_for_every_logger():
    [console] = [handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler]

    assert any(isinstance(item, SecretsFilter) for item in console.filters)
    # Django's records reach that handler instead of Django's own, unfiltered ones.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate
