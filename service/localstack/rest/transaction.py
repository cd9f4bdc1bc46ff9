"""One transaction per request, as PostgREST runs it (`src/PostgREST/Query.hs`).

    BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY|READ WRITE;
    select set_config(..., true), ...;   -- search_path, role settings, role, request.*
    <main statement>;
    COMMIT;                               -- ROLLBACK on any error

The four statements go out in one pipeline (one round trip, values still
bound parameters; `pipeline` drives it). When one fails, PostgreSQL skips the
rest up to the pipeline's sync, COMMIT included: the transaction is left
aborted and rolled back here. Every setting is transaction-local, so a
connection goes back to the pool exactly as it came out.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq, sql
from psycopg_pool import AsyncConnectionPool

from service.localstack.rest.pipeline import first_row, run_pipeline
from service.localstack.rest.statements import Statement, preamble

BEGIN_READ_ONLY = Statement(sql.SQL("begin isolation level read committed, read only"), ())
BEGIN_READ_WRITE = Statement(sql.SQL("begin isolation level read committed, read write"), ())
COMMIT = Statement(sql.SQL("commit"), ())
MAIN_STATEMENT = 2  # begin, preamble, the request's statement, commit
ROLLBACK = "rollback"


@dataclass(frozen=True)
class RequestContext:
    """What the preamble tells the database about the request (PostgREST's `request.*` settings)."""

    role: str
    claims: Mapping[str, Any]
    method: str
    path: str
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    search_path: str
    role_settings: Sequence[tuple[str, str]]

    def settings(self) -> list[tuple[str, str]]:
        """The `set_config` pairs, in PostgREST's order: search_path, role settings, role, request.*."""
        return [
            ("search_path", self.search_path),
            *self.role_settings,
            ("role", self.role),
            ("request.jwt.claims", _compact_json(self.claims)),
            ("request.method", self.method),
            ("request.path", self.path),
            ("request.headers", _compact_json(self.headers)),
            ("request.cookies", _compact_json(self.cookies)),
        ]


async def run_in_transaction(
    pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]],
    context: RequestContext,
    statement: Statement,
    *,
    read_only: bool,
    timeout_s: float,
) -> tuple[str | None, ...] | None:
    """Run `statement` as the request's role inside its own transaction; its first row, as text values.

    Raises the first failing statement's `psycopg.Error` (after ROLLBACK), or
    `psycopg_pool.PoolTimeout`.
    """
    begin = BEGIN_READ_ONLY if read_only else BEGIN_READ_WRITE
    statements = [begin, preamble(context.settings()), statement, COMMIT]
    async with pool.connection(timeout=timeout_s) as connection:
        results = await run_pipeline(connection, statements)
        failure = next((result for result in results if result.status == pq.ExecStatus.FATAL_ERROR), None)
        if failure is not None:
            await _roll_back(connection)
            raise psycopg.errors.error_from_result(failure, encoding=connection.info.encoding)
        return first_row(results[MAIN_STATEMENT], connection.info.encoding)


async def _roll_back(connection: psycopg.AsyncConnection[Any]) -> None:
    """End the failed transaction so the pool gets the connection back idle (a broken one is discarded)."""
    if connection.closed or connection.info.transaction_status == pq.TransactionStatus.IDLE:
        return
    with contextlib.suppress(psycopg.Error):  # a broken connection: the pool notices and replaces it
        await connection.execute(ROLLBACK)


# One encoder for every request: `json.dumps` with options builds a new one per call.
_compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
