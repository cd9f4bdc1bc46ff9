"""Statements sent as one libpq pipeline on a pooled connection's `pgconn`, below psycopg's cursors.

    results = await run_pipeline(connection, [begin, setup, statement, commit])

psycopg's own pipeline (`connection.pipeline()` and a cursor per statement)
costs about 0.2 ms of Python per request, more than the round trip and the
database's work together; the endpoint answers every request with one such
transaction, so it drives the pipeline itself: every statement queued, one
sync, one flush, then the results read back as they arrive. Values are still
bound parameters (text format, type left to the server, as psycopg sends a
`str`), so nothing from the request is spliced into the SQL text, and nothing
but the statements' text reaches the server's log when one fails.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.pq.abc import PGconn, PGresult

from service.localstack.rest.statements import Statement

# psycopg's placeholders in a composed statement's text: `%s`, `%(name)s`, and `%%` for a literal `%`.
PLACEHOLDER = re.compile(rb"%(?:\((?P<name>[^)]*)\))?(?P<format>.)", re.DOTALL)
CACHED_QUERIES = 512  # statement texts with their placeholders numbered (rpc texts repeat, reads vary)


class PipelineIncomplete(psycopg.OperationalError):
    """The pipeline was interrupted before its sync came back: the connection is closed, not reused."""


async def run_pipeline(connection: psycopg.AsyncConnection[Any], statements: Sequence[Statement]) -> list[PGresult]:
    """Run `statements` in one pipeline on `connection` (idle, autocommit); one result per statement.

    PostgreSQL skips every statement after a failure up to the sync: the
    failure's result is FATAL_ERROR, the skipped ones' PIPELINE_ABORTED. If the
    pipeline does not complete (lost connection, cancelled task), the
    connection is closed so that the pool replaces it.
    """
    pgconn = connection.pgconn
    encoding = connection.info.encoding
    bound = [_bind(statement, connection, encoding) for statement in statements]
    completed = False
    pgconn.enter_pipeline_mode()
    try:
        for query, values in bound:
            pgconn.send_query_params(query, values)
        pgconn.pipeline_sync()
        await _flush(pgconn)
        results = await _read_until_sync(pgconn)
        completed = True
    finally:
        if completed:
            pgconn.exit_pipeline_mode()
        else:
            await connection.close()
    if len(results) != len(statements):
        raise PipelineIncomplete(f"the pipeline returned {len(results)} results for {len(statements)} statements")
    return results


def first_row(result: PGresult, encoding: str) -> tuple[str | None, ...] | None:
    """The first row of a TUPLES_OK result as text values (NULL as None); None without rows."""
    if result.ntuples == 0:
        return None
    values = (result.get_value(0, column) for column in range(result.nfields))
    return tuple(None if value is None else value.decode(encoding) for value in values)


async def _flush(pgconn: PGconn) -> None:
    """Send what libpq holds; while the socket is full, take in what the server answers meanwhile."""
    while pgconn.flush():
        await _wait(pgconn, writable=True)
        pgconn.consume_input()


async def _read_until_sync(pgconn: PGconn) -> list[PGresult]:
    """Every statement's result, in order, up to the pipeline's sync.

    libpq ends each statement's results with a NULL; two NULLs in a row mean
    nothing more is coming, which a pipeline that has not synced cannot be.
    """
    results: list[PGresult] = []
    after_statement_end = False
    while True:
        if pgconn.is_busy():
            await _wait(pgconn, writable=False)
            pgconn.consume_input()
            continue
        result = pgconn.get_result()
        if result is None:
            if after_statement_end:
                raise PipelineIncomplete("the pipeline ended without its sync")
            after_statement_end = True
            continue
        after_statement_end = False
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)


async def _wait(pgconn: PGconn, *, writable: bool) -> None:
    """Until the connection's socket is readable, or writable too when `writable`."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    socket = pgconn.socket

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(socket, wake)
    if writable:
        loop.add_writer(socket, wake)
    try:
        await ready
    finally:
        loop.remove_reader(socket)
        if writable:
            loop.remove_writer(socket)


@functools.lru_cache(maxsize=CACHED_QUERIES)
def _numbered_placeholders(query: bytes) -> tuple[bytes, tuple[str, ...] | int]:
    """`query` with psycopg's placeholders as PostgreSQL's `$1, $2...`, and what each number binds.

    That is the names in number order for `%(name)s` placeholders (one number
    per name), else how many `%s` there are (one number each). The two kinds
    cannot be mixed, as in psycopg.
    """
    names: list[str] = []
    positional = 0

    def number(match: re.Match[bytes]) -> bytes:
        nonlocal positional
        name, format_ = match["name"], match["format"]
        if format_ == b"%" and name is None:
            return b"%"
        if format_ != b"s":
            raise ValueError(f"unsupported placeholder {match[0]!r} in {query!r}")
        if name is None:
            positional += 1
            return b"$%d" % positional
        if name.decode() not in names:
            names.append(name.decode())
        return b"$%d" % (names.index(name.decode()) + 1)

    numbered = PLACEHOLDER.sub(number, query)
    if names and positional:
        raise ValueError(f"positional and named placeholders mixed in {query!r}")
    return numbered, tuple(names) if names else positional


def _bind(
    statement: Statement, connection: psycopg.AsyncConnection[Any], encoding: str
) -> tuple[bytes, list[bytes | None]]:
    """The statement's text with numbered placeholders, and its parameters in that order as text."""
    query, binds = _numbered_placeholders(statement.query.as_bytes(connection))
    parameters = statement.parameters
    if isinstance(binds, int):
        if isinstance(parameters, Mapping) or len(parameters) != binds:
            raise ValueError(f"{binds} positional placeholders but {len(parameters)} parameters")
        ordered = list(parameters)
    else:
        if not isinstance(parameters, Mapping):
            raise ValueError(f"named placeholders {binds} for positional parameters")
        ordered = [parameters[name] for name in binds]
    # Text is nearly every value (JSON and settings), so it is encoded inline; the rest goes through `_text`.
    return query, [value.encode(encoding) if type(value) is str else _text(value, encoding) for value in ordered]


def _text(value: Any, encoding: str) -> bytes | None:
    """A parameter in PostgreSQL's text format; the statements bind only text, integers and NULL."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode(encoding)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    raise TypeError(f"cannot bind {type(value).__name__} {value!r}: bind text, an integer or None")
