"""The direct PostgreSQL target (psycopg 3): history, the run lock as an advisory lock, atomic apply and revert.

Library errors are translated here: psycopg's diagnostics become
StatementFailed, a lost connection becomes OutcomeUnknown, a connection that
cannot be opened becomes TargetUnavailable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors, generators, sql
from psycopg.pq import ExecStatus

from service.core.migrations import Script
from service.core.plan import HistoryRow
from service.adapters.apply_script import (
    HISTORY_IS_CURRENT, NOT_APPLIED, insert_history_sql, literal, revert_sql, statement_failed,
)
from service.core.target import AlreadyApplied, NotApplied, OutcomeUnknown, Record, RunLockBusy, StatementFailed, Timeouts
from service.errors import TargetUnavailable
from service.settings import Secret, redact_url
from service.supabase_sql import service_sql

CONNECT_TIMEOUT_S = 10
RUN_LOCK_KEY = 0x6F6D6E69  # one advisory lock per database for the whole run ("omni")

READ_HISTORY = """
select to_jsonb(m) from public.schema_migrations m order by version
"""
INSERT_HISTORY = """
insert into public.schema_migrations (version, description, applied_at, checksum, execution_ms, applied_by, phase)
values (%s, %s, now(), %s, %s, %s, %s)
"""
LOCK_HOLDER = """
select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
 where l.locktype = 'advisory' and l.granted and l.objid = %s and l.database = (
       select oid from pg_database where datname = current_database())
 limit 1
"""


def open_connection(database_url: Secret, *, autocommit: bool = True, application_name: str = "omnia-migrate"
                    ) -> psycopg.Connection[Any]:
    """A connection to the target, or TargetUnavailable naming the (redacted) URL and the fix."""
    url = database_url.reveal()
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name=application_name)
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


class PostgresTarget:
    """Migrations over a direct connection: one transaction per file, a session advisory lock per run."""

    can_run_outside_transaction = True

    def __init__(self, database_url: Secret) -> None:
        self._url = database_url
        self.description = f"PostgreSQL {redact_url(database_url.reveal())}"
        self._connection: psycopg.Connection[Any] | None = None

    def close(self) -> None:
        """Close the working connection (the run lock's connection closes with its block)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def _bookkeeping(self) -> Iterator[None]:
        """History reads and writes: a database error here is the target's problem, not a migration's."""
        try:
            yield
        except psycopg.Error as error:
            raise TargetUnavailable(self.description, _first_line(str(error)),
                                    fix="check the connection and that the role may use public.schema_migrations"
                                    ) from None

    def _work(self) -> psycopg.Connection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = open_connection(self._url)
            self._connection.execute("; ".join(self._session_settings()))
        return self._connection

    def _session_settings(self) -> list[str]:
        """What every migration starts from: the session's defaults (as the Supabase CLI does with RESET ALL,
        so one file's `SET search_path` cannot leak into the next), plus, on PostgreSQL 14+, a check that
        notices within a second when this runner died, so its transaction is rolled back instead of
        finishing a long statement for nobody."""
        assert self._connection is not None
        if self._connection.info.server_version >= 140000:
            return ["RESET ALL", "SET client_connection_check_interval = '1s'"]
        return ["RESET ALL"]

    def ensure_history(self) -> None:
        """Create (or upgrade) the history and lock tables and the RPCs if they are missing or seed-shaped."""
        with self._bookkeeping():
            connection = self._work()
            row = connection.execute(HISTORY_IS_CURRENT).fetchone()
            if not (row and row[0]):
                run_script(connection, service_sql())

    def read_history(self) -> list[HistoryRow]:
        """Every history row; an absent table is an empty history."""
        with self._bookkeeping():
            connection = self._work()
            exists = connection.execute("select to_regclass('public.schema_migrations') is not null").fetchone()
            if not (exists and exists[0]):
                return []
            return [history_row(document) for (document,) in connection.execute(READ_HISTORY)]

    @contextmanager
    def run_lock(self, holder: str, *, wait_s: float) -> Iterator[None]:
        """A session-level advisory lock on its own connection, waited for without polling (lock_timeout)."""
        connection = open_connection(self._url, application_name=f"omnia-migrate {holder}"[:63])
        try:
            connection.execute(sql.SQL("set lock_timeout = {}").format(sql.Literal(f"{int(wait_s * 1000)}ms")))
            try:
                connection.execute("select pg_advisory_lock(%s)", (RUN_LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                row = self._work().execute(LOCK_HOLDER, (RUN_LOCK_KEY,)).fetchone()
                raise RunLockBusy(row[0] if row else None) from None
            yield
        finally:
            connection.close()  # ends the session: the advisory lock goes with it

    def apply(self, script: Script, record: Record, timeouts: Timeouts) -> int:
        """Run the script and record it in one transaction, all sent in one round trip.

        The history row goes first: a runner that recorded the version already
        makes this INSERT fail on the primary key (AlreadyApplied), and one that
        is applying it right now makes this INSERT wait for its outcome.
        A `Transaction: none` file runs statement by statement instead.
        """
        if not script.header.transactional:
            return self._apply_outside_transaction(script, record, timeouts)
        version = literal(record.version)
        record_row = insert_history_sql(record)
        prologue = [
            "BEGIN",
            *self._session_settings(),
            f"SET LOCAL lock_timeout = {literal(f'{timeouts.lock_timeout_ms}ms')}",
            f"SET LOCAL statement_timeout = {literal(f'{timeouts.statement_timeout_ms}ms')}",
            record_row,
            "SELECT set_config('omnia.started', clock_timestamp()::text, true)",
        ]
        epilogue = [
            "UPDATE public.schema_migrations SET execution_ms ="
            " round(extract(epoch from clock_timestamp() - current_setting('omnia.started')::timestamptz) * 1000)"
            f" WHERE version = {version}",
            "COMMIT",
        ]
        started = time.perf_counter()
        failed_at, error = self._send(prologue + [statement.text for statement in script.statements] + epilogue)
        if error is None:
            return _elapsed_ms(started)
        if failed_at == prologue.index(record_row) and error.sqlstate == "23505":
            raise AlreadyApplied(record.version)
        body_index = failed_at - len(prologue)
        in_body = 0 <= body_index < len(script.statements)
        raise _statement_failed_from(error, script.statements[body_index].index if in_body else None)

    def _send(self, statements: list[str]) -> tuple[int, psycopg.Error | None]:
        """Send the statements as ONE simple-protocol query; (index of the failing one, its error) or (-1, None).

        PostgreSQL runs them in order and stops at the first error; the number
        of results before the error tells which statement failed. A failed
        transaction block is rolled back before returning.
        """
        connection = self._work()
        query = "\n;\n".join(statements).encode()  # the newline ends a trailing `-- comment` first
        try:
            connection.pgconn.send_query(query)
            results = connection.wait(generators.fetch_many(connection.pgconn))
        except psycopg.Error as lost:
            raise OutcomeUnknown(_first_line(str(lost))) from None
        failed = [i for i, result in enumerate(results) if result.status == ExecStatus.FATAL_ERROR]
        if not failed:
            return -1, None
        error = errors.error_from_result(results[failed[0]], encoding=connection.info.encoding)
        if _connection_lost(error):
            raise OutcomeUnknown(_first_line(str(error)))
        try:
            connection.execute("ROLLBACK")
        except psycopg.Error as rollback_error:
            raise OutcomeUnknown(_first_line(str(rollback_error))) from None
        return failed[0], error

    def revert(self, script: Script, version: str, timeouts: Timeouts) -> int:
        """Run the rollback script and delete the history row in one transaction, sent as one round trip."""
        started = time.perf_counter()
        try:
            self._in_one_transaction(revert_sql(script, version, timeouts))
        except StatementFailed as failure:
            if failure.sqlstate == NOT_APPLIED:
                raise NotApplied(version) from None
            raise
        return _elapsed_ms(started)

    def _in_one_transaction(self, script_sql: str) -> None:
        """BEGIN; the script; COMMIT; as one simple-protocol query: one round trip, all or nothing."""
        connection = self._work()
        try:
            connection.execute(f"BEGIN;\n{script_sql}\nCOMMIT;".encode())
        except psycopg.Error as error:
            if _connection_lost(error):
                raise OutcomeUnknown(_first_line(str(error))) from None
            connection.execute("ROLLBACK")  # the failed transaction block is still open
            diag = error.diag
            raise statement_failed(diag.sqlstate, diag.message_primary or str(error), diag.message_detail,
                                   diag.message_hint) from None

    def _apply_outside_transaction(self, script: Script, record: Record, timeouts: Timeouts) -> int:
        connection = self._work()
        with _translated():
            if _is_recorded(connection, record.version):
                raise AlreadyApplied(record.version)
            connection.execute(
                "select set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
                (f"{timeouts.lock_timeout_ms}ms", f"{timeouts.statement_timeout_ms}ms"),
            )
            try:
                started = time.perf_counter()
                _run_statements(connection, script)
                execution_ms = _elapsed_ms(started)
                _insert_history(connection, record, execution_ms)
            finally:
                if not connection.closed:
                    connection.execute("reset lock_timeout; reset statement_timeout")
        return execution_ms

    def write_checksums(self, checksums: Sequence[tuple[str, str]]) -> None:
        """Record new checksums for applied versions, in one transaction."""
        with self._bookkeeping():
            connection = self._work()
            with connection.transaction():
                for version, checksum in checksums:
                    connection.execute("update public.schema_migrations set checksum = %s where version = %s",
                                       (checksum, version))

    def write_baseline(self, records: Sequence[Record]) -> None:
        """Insert history rows without running the files, in one transaction."""
        with self._bookkeeping():
            connection = self._work()
            with connection.transaction():
                for record in records:
                    _insert_history(connection, record, 0)

    def notify_schema_reload(self) -> None:
        """Tell PostgREST to reload its schema cache."""
        with self._bookkeeping():
            self._work().execute("notify pgrst, 'reload schema'")


def history_row(document: dict[str, Any]) -> HistoryRow:
    """A history row from `to_jsonb(row)`: a seed-shaped table simply lacks the newer keys."""
    return HistoryRow(
        version=str(document["version"]),
        description=document.get("description"),
        applied_at=document.get("applied_at"),
        checksum=document.get("checksum"),
        execution_ms=document.get("execution_ms"),
        applied_by=document.get("applied_by"),
        phase=document.get("phase"),
    )


def _is_recorded(connection: psycopg.Connection[Any], version: str) -> bool:
    row = connection.execute("select 1 from public.schema_migrations where version = %s", (version,)).fetchone()
    return row is not None


def _run_statements(connection: psycopg.Connection[Any], script: Script) -> None:
    for statement in script.statements:
        try:
            connection.execute(statement.text.encode())
        except psycopg.Error as error:
            raise _statement_failed(error, statement.index) from None


def _connection_lost(error: psycopg.Error) -> bool:
    """No SQLSTATE (the client lost the socket), class 08, or the server shutting down."""
    return error.sqlstate is None or error.sqlstate.startswith(("08", "57P"))


def _statement_failed(error: psycopg.Error, statement_index: int | None) -> Exception:
    if _connection_lost(error):
        return OutcomeUnknown(_first_line(str(error)))
    return _statement_failed_from(error, statement_index)


def _statement_failed_from(error: psycopg.Error, statement_index: int | None) -> StatementFailed:
    diag = error.diag
    return StatementFailed(
        statement_index=statement_index,
        sqlstate=diag.sqlstate,
        message=diag.message_primary or str(error),
        detail=diag.message_detail,
        hint=diag.message_hint,
        position=int(diag.statement_position) if diag.statement_position else None,
    )


def _insert_history(connection: psycopg.Connection[Any], record: Record, execution_ms: int) -> None:
    connection.execute(INSERT_HISTORY, (record.version, record.description, record.checksum, execution_ms,
                                        record.applied_by, record.phase))


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


@contextmanager
def _translated() -> Iterator[None]:
    """Errors outside a statement: at COMMIT (a deferred constraint) or a lost connection (outcome unknown)."""
    try:
        yield
    except psycopg.Error as error:
        raise _statement_failed(error, None) from None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "connection failed"
