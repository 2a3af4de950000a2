"""Looking for secrets where they must never be: log output and audit rows.

Run a flow inside `everything_logged()`, then assert that
`secrets_found([password, code, token], logged.text(), audit_text())` is empty.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connections

from crm.audit.models import AuditEntry


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def everything_logged() -> Iterator[_Collected]:
    """Every record of every logger at DEBUG (SQL with its parameters included), as a handler would write it.

    Raw records, before the project's `SecretsFilter`: the flows must not log secrets at all.
    """
    collected = _Collected()
    root = logging.getLogger()
    loggers = [root, *(item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger))]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    debug_cursors = [(connection, connection.force_debug_cursor) for connection in connections.all()]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(collected)
    root.addHandler(collected)
    for connection, _forced in debug_cursors:
        connection.force_debug_cursor = True  # django.db.backends logs each query with its parameters
    try:
        yield collected
    finally:
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(collected)
        for connection, forced in debug_cursors:
            connection.force_debug_cursor = forced


def audit_text() -> str:
    """Every audit row, all its columns, as one text."""
    return "\n".join(
        json.dumps(row, default=str, ensure_ascii=False)
        for row in AuditEntry.objects.values("action", "target_repr", "reason", "data")
    )


def secrets_found(secrets: Iterable[str], *texts: str) -> list[str]:
    """The secrets (non-empty) that occur in any of `texts`."""
    return [secret for secret in secrets if secret and any(secret in text for text in texts)]
