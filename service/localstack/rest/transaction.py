"""One transaction per request, as PostgREST runs it (`src/PostgREST/Query.hs`).

    BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY|READ WRITE;
    select set_config(..., true), ...;   -- search_path, role settings, role, request.*
    <main statement>;
    COMMIT;                               -- ROLLBACK on any error

The four statements go out in one pipeline (one round trip, values still
bound parameters). When one fails, PostgreSQL skips the rest up to the
pipeline's sync, COMMIT included: the transaction is left aborted and rolled
back here. Every setting is transaction-local, so a connection goes back to
the pool exactly as it came out.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import AsyncConnectionPool

from service.localstack.rest.statements import Statement, preamble

BEGIN_READ_ONLY = "begin isolation level read committed, read only"
BEGIN_READ_WRITE = "begin isolation level read committed, read write"
COMMIT = "commit"
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
) -> tuple[Any, ...] | None:
    """Run `statement` as the request's role inside its own transaction; its first row.

    Raises `psycopg.Error` (after ROLLBACK) or `psycopg_pool.PoolTimeout`.
    """
    setup = preamble(context.settings())
    async with pool.connection(timeout=timeout_s) as connection:
        try:
            main = await _pipeline(connection, BEGIN_READ_ONLY if read_only else BEGIN_READ_WRITE, setup, statement)
            row: tuple[Any, ...] | None = await main.fetchone()
        except BaseException:
            await _roll_back(connection)
            raise
    return row


async def _pipeline(
    connection: psycopg.AsyncConnection[Any], begin: str, setup: Statement, statement: Statement
) -> psycopg.AsyncCursor[Any]:
    """Send BEGIN, the preamble, `statement` and COMMIT in one pipeline; the cursor holding `statement`'s rows.

    Raises the first statement's error. psycopg reports it either while the
    later statements are queued or when the pipeline ends (then as the
    pipeline's own error, the rest being "aborted"): caught in the block, it is
    kept and the end's `PipelineAborted` dropped, so nothing else is logged.
    """
    control, main = connection.cursor(), connection.cursor()
    failure: psycopg.Error | None = None
    try:
        async with connection.pipeline():
            try:
                await control.execute(begin)
                await control.execute(setup.query, setup.parameters)
                await main.execute(statement.query, statement.parameters)
                await control.execute(COMMIT)
            except psycopg.Error as error:
                failure = error
    except psycopg.Error:
        if failure is None:
            raise
    if failure is not None:
        raise failure
    return main


async def _roll_back(connection: psycopg.AsyncConnection[Any]) -> None:
    """End the failed transaction so the pool gets the connection back idle (a broken one is discarded)."""
    if connection.closed or connection.info.transaction_status == pq.TransactionStatus.IDLE:
        return
    with contextlib.suppress(psycopg.Error):  # a broken connection: the pool notices and replaces it
        await connection.execute(ROLLBACK)


def _compact_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
