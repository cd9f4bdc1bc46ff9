"""The direct PostgreSQL target (psycopg 3): connections and scripts, with library errors translated."""

from __future__ import annotations

from typing import Any

import psycopg

from service.errors import TargetUnavailable
from service.settings import Secret, redact_url

CONNECT_TIMEOUT_S = 10


def open_connection(database_url: Secret, *, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A connection to the target, or TargetUnavailable naming the (redacted) URL and the fix."""
    url = database_url.reveal()
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as error:
        reason = _first_line(str(error)).replace(url, redact_url(url))
        raise TargetUnavailable(
            f"DATABASE_URL ({redact_url(url)})",
            reason,
            fix="check DATABASE_URL: host, port, database, user and password",
        ) from None


def run_script(connection: psycopg.Connection[Any], script: str) -> None:
    """Run a multi-statement script in one transaction (simple query protocol)."""
    with connection.transaction():
        connection.execute(script.encode())


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "connection failed"
