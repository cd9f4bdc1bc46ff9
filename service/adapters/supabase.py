"""The Supabase target: the `supabase` client and the `exec_sql` RPC, so no database port is needed.

Each migration is ONE `exec_sql` call, so the request's own transaction makes
it atomic: a per-version advisory lock and an "already recorded?" guard, the
`SET LOCAL` timeouts, the file's statements (each through EXECUTE inside one
block that names the failing statement), then the history row. The run lock
is an expiring lease row (`omnia_lock_acquire`), renewed while held.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from service.adapters.apply_script import (
    ALREADY_APPLIED, HISTORY_IS_CURRENT, NOT_APPLIED, apply_sql, insert_history_sql, literal, revert_sql,
    statement_failed,
)
from service.adapters.postgres import history_row
from service.core.migrations import Script
from service.core.plan import HistoryRow
from service.core.target import (
    AlreadyApplied, NotApplied, OutcomeUnknown, Record, RunLockBusy, StatementFailed, Timeouts,
)
from service.errors import TargetUnavailable
from service.settings import Secret
from service.supabase_sql import service_sql

LOCK_NAME = "migrate"
LEASE_TTL_S = 60
FUNCTION_NOT_IN_CACHE = "PGRST202"
INSTALL_FIX = "run `omnia-migrate install` on the project (or paste `omnia-migrate install --print` into the SQL editor)"

READ_HISTORY = "select * from public.schema_migrations order by version"


class SupabaseTarget:
    """Migrations through the Supabase REST API with the service key; one exec_sql call per file."""

    can_run_outside_transaction = False

    def __init__(self, url: str, service_key: Secret, *, timeout_s: float = 120.0,
                 lease_ttl_s: int = LEASE_TTL_S) -> None:
        self.description = f"Supabase {url}"
        self._lease_ttl_s = lease_ttl_s
        self._url = url
        self._key = service_key
        self._timeout_s = timeout_s
        self._client: Any = None
        self._http: httpx.Client | None = None

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            self._http.close()
            self._http = None
            self._client = None

    def _rpc(self, function: str, params: dict[str, Any]) -> Any:
        """Call an RPC; APIError becomes StatementFailed, a lost answer OutcomeUnknown."""
        from postgrest.exceptions import APIError

        if self._client is None:
            from supabase import create_client
            from supabase.lib.client_options import SyncClientOptions

            self._http = httpx.Client(timeout=self._timeout_s)
            self._client = create_client(self._url, self._key.reveal(),
                                         options=SyncClientOptions(httpx_client=self._http))
        try:
            return self._client.rpc(function, params).execute().data
        except APIError as error:
            raise _statement_failed(error) from None
        except httpx.TransportError as error:
            raise OutcomeUnknown(f"{type(error).__name__}: {error}") from None

    def _service(self, function: str, params: dict[str, Any]) -> Any:
        """An RPC of the service's own bookkeeping: any failure is the target's, reported as TargetUnavailable."""
        try:
            return self._rpc(function, params)
        except StatementFailed as failure:
            raise self._unavailable(failure) from None
        except OutcomeUnknown as lost:
            raise TargetUnavailable(self.description, str(lost), fix="check SUPABASE_URL and the network") from None

    def _exec_sql(self, script: str) -> None:
        self._service("exec_sql", {"sql": script})

    def _query(self, query: str) -> list[dict[str, Any]]:
        """Rows of a read-only query; StatementFailed is left to the caller, a lost answer is fatal."""
        try:
            rows = self._rpc("omnia_query", {"sql": query})
        except OutcomeUnknown as lost:
            raise TargetUnavailable(self.description, str(lost), fix="check SUPABASE_URL and the network") from None
        return list(rows or [])

    def ensure_history(self) -> None:
        """Check the project is installed; upgrade a seed-shaped history table through exec_sql."""
        try:
            current = self._query(HISTORY_IS_CURRENT)
        except StatementFailed as failure:
            if failure.sqlstate != FUNCTION_NOT_IN_CACHE:
                raise self._unavailable(failure) from None
            current = [{"current": False}]
        if current and current[0].get("current"):
            return
        self._exec_sql(service_sql() + "\nNOTIFY pgrst, 'reload schema';")
        self._wait_for_function("omnia_query")

    def _wait_for_function(self, name: str, timeout_s: float = 10.0) -> None:
        """PostgREST learns new functions after the reload NOTIFY, asynchronously: wait for it."""
        deadline = time.monotonic() + timeout_s
        delay = 0.05
        while True:
            try:
                self._query("select 1 as ok")
                return
            except StatementFailed as failure:
                if failure.sqlstate != FUNCTION_NOT_IN_CACHE or time.monotonic() > deadline:
                    raise self._unavailable(failure) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    def _unavailable(self, failure: StatementFailed) -> TargetUnavailable:
        if failure.sqlstate == FUNCTION_NOT_IN_CACHE:
            return TargetUnavailable(self.description, "the project has no exec_sql/omnia_query function",
                                     fix=INSTALL_FIX)
        if failure.sqlstate in (None, "401", "42501", "PGRST301", "PGRST303"):
            return TargetUnavailable(self.description, f"the key was refused ({failure.message})",
                                     fix="set SUPABASE_SERVICE_KEY to the project's service_role or sb_secret_ key")
        return TargetUnavailable(self.description, f"{failure.sqlstate} {failure.message}",
                                 fix="check that the project is installed (`omnia-migrate install`) and reachable")

    def read_history(self) -> list[HistoryRow]:
        """Every history row, through `omnia_query`."""
        try:
            rows = self._query(READ_HISTORY)
        except StatementFailed as failure:
            if failure.sqlstate == "42P01":
                return []
            raise self._unavailable(failure) from None
        return [history_row(row) for row in rows]

    @contextmanager
    def run_lock(self, holder: str, *, wait_s: float) -> Iterator[None]:
        """Hold the lease row while the block runs, renewing it; a crashed holder's lease expires."""
        deadline = time.monotonic() + wait_s
        delay = 0.1
        while not self._service("omnia_lock_acquire", {"lock_name": LOCK_NAME, "holder": holder,
                                                       "ttl_seconds": self._lease_ttl_s}):
            rows = self._service("omnia_query", {
                "sql": f"select holder from public.omnia_locks where name = {literal(LOCK_NAME)}"})
            current = rows[0]["holder"] if rows else None
            if current and holder_is_dead(current):
                self._service("omnia_lock_release", {"lock_name": LOCK_NAME, "holder": current})
                continue
            if time.monotonic() > deadline:
                raise RunLockBusy(current)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        stop = threading.Event()
        renewer = threading.Thread(target=self._renew, args=(holder, stop), daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            self._service("omnia_lock_release", {"lock_name": LOCK_NAME, "holder": holder})

    def _renew(self, holder: str, stop: threading.Event) -> None:
        while not stop.wait(self._lease_ttl_s / 3):
            try:
                self._rpc("omnia_lock_acquire", {"lock_name": LOCK_NAME, "holder": holder,
                                                 "ttl_seconds": self._lease_ttl_s})
            except (StatementFailed, OutcomeUnknown):
                continue  # the next renewal tries again; the lease outlives one missed beat

    def apply(self, script: Script, record: Record, timeouts: Timeouts) -> int:
        """One exec_sql call: statements and history row commit together or not at all."""
        started = time.perf_counter()
        try:
            self._rpc("exec_sql", {"sql": apply_sql(script, record, timeouts)})
        except StatementFailed as failure:
            if failure.sqlstate == ALREADY_APPLIED:
                raise AlreadyApplied(record.version) from None
            raise
        return round((time.perf_counter() - started) * 1000)

    def revert(self, script: Script, version: str, timeouts: Timeouts) -> int:
        """One exec_sql call: the rollback and the removal of the history row, together."""
        started = time.perf_counter()
        try:
            self._rpc("exec_sql", {"sql": revert_sql(script, version, timeouts)})
        except StatementFailed as failure:
            if failure.sqlstate == NOT_APPLIED:
                raise NotApplied(version) from None
            raise
        return round((time.perf_counter() - started) * 1000)

    def write_checksums(self, checksums: Sequence[tuple[str, str]]) -> None:
        """Record new checksums in one exec_sql call."""
        if checksums:
            self._exec_sql(" ".join(
                f"UPDATE public.schema_migrations SET checksum = {literal(checksum)}"
                f" WHERE version = {literal(version)};"
                for version, checksum in checksums
            ))

    def write_baseline(self, records: Sequence[Record]) -> None:
        """Insert history rows without running the files, in one exec_sql call."""
        if records:
            self._exec_sql(" ".join(insert_history_sql(record) for record in records))

    def notify_schema_reload(self) -> None:
        """Tell PostgREST to reload its schema cache."""
        self._exec_sql("NOTIFY pgrst, 'reload schema'")


def holder_is_dead(holder: str) -> bool:
    """A `user@host:pid` holder on this host whose process is gone (killed): its lease can be taken now."""
    _, _, place = holder.rpartition("@")
    host, _, pid = place.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _statement_failed(error: Any) -> StatementFailed:
    """PostgREST's error body -> StatementFailed (the statement index comes back in the hint)."""
    return statement_failed(error.code, error.message or "", error.details, error.hint)
