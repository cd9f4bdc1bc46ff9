"""`pipeline`: the request's statements in one libpq pipeline, values bound, results in order.

The HTTP tests pin what a client sees; these pin the driver itself: how
psycopg's placeholders are numbered, what a failure leaves in the results, and
that a pipeline cut short never hands its connection back to the pool as if
nothing happened.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from psycopg import pq, sql
from psycopg_pool import AsyncConnectionPool

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.rest.pipeline import _numbered_placeholders, first_row, run_pipeline
from service.localstack.rest.statements import Statement


@pytest.mark.parametrize(
    ("query", "numbered", "binds"),
    [
        (b"select 1", b"select 1", 0),
        (b"select %s, %s::json", b"select $1, $2::json", 2),
        (b"select %(a)s, %(b)s, %(a)s", b"select $1, $2, $1", ("a", "b")),
        (b"select '100%%', %s", b"select '100%', $1", 1),
    ],
)
def test_placeholders_are_numbered_as_postgresql_expects(
    query: bytes, numbered: bytes, binds: tuple[str, ...] | int
) -> None:
    assert _numbered_placeholders(query) == (numbered, binds)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (b"select %s, %(a)s", "positional and named placeholders mixed"),
        (b"select %d", "unsupported placeholder"),
    ],
)
def test_placeholders_psycopg_would_refuse_are_refused(query: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _numbered_placeholders(query)


@pytest.fixture
def database_url(embedded_postgres: EmbeddedPostgres, fresh_database: str) -> str:
    return embedded_postgres.url(fresh_database)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def statement(text: str, *parameters: Any) -> Statement:
    return Statement(sql.SQL(text), list(parameters))


def test_values_are_bound_and_rows_come_back_as_text(database_url: str) -> None:
    """Text, integers and NULL are bound as parameters; a row comes back as text (NULL as None)."""

    async def scenario() -> tuple[str | None, ...] | None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
            values = statement("select %s::text, %s::int + 1, %s::text, %s::json ->> 'k'", "a'b", 41, None, '{"k":"v"}')
            results = await run_pipeline(connection, [values])
            return first_row(results[0], connection.info.encoding)

    assert run(scenario()) == ("a'b", "42", None, "v")


def test_a_failure_skips_the_rest_up_to_the_sync(database_url: str) -> None:
    """One result per statement: those before the failure ran, the failure's error, then the skipped ones."""

    async def scenario() -> tuple[list[pq.ExecStatus], pq.TransactionStatus]:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
            results = await run_pipeline(
                connection,
                [statement("begin"), statement("select 1/0"), statement("select 1"), statement("commit")],
            )
            return [pq.ExecStatus(result.status) for result in results], connection.info.transaction_status

    statuses, transaction = run(scenario())
    assert statuses == [
        pq.ExecStatus.COMMAND_OK,
        pq.ExecStatus.FATAL_ERROR,
        pq.ExecStatus.PIPELINE_ABORTED,
        pq.ExecStatus.PIPELINE_ABORTED,
    ]
    assert transaction == pq.TransactionStatus.INERROR  # left for the caller to roll back


def test_a_large_parameter_is_flushed_whole(database_url: str) -> None:
    """A value larger than the socket's buffers (a long migration) goes out in several writes."""
    text = "x" * (8 * 1024 * 1024)

    async def scenario() -> tuple[str | None, ...] | None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as connection:
            results = await run_pipeline(connection, [statement("select length(%s::text)", text)])
            return first_row(results[0], connection.info.encoding)

    assert run(scenario()) == (str(len(text)),)


def test_a_cancelled_pipeline_closes_its_connection_and_the_pool_replaces_it(database_url: str) -> None:
    """Cancelled mid-statement, the connection is closed, not returned busy; the next checkout works."""

    async def scenario() -> tuple[bool, tuple[str | None, ...] | None]:
        async with AsyncConnectionPool(
            database_url, min_size=1, max_size=1, kwargs={"autocommit": True}, open=False
        ) as pool:
            await pool.open(wait=True)
            async with pool.connection() as connection:
                task = asyncio.create_task(run_pipeline(connection, [statement("select pg_sleep(10)")]))
                await asyncio.sleep(0.2)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                closed = connection.closed
            async with pool.connection(timeout=10) as replacement:
                results = await run_pipeline(replacement, [statement("select 'next'")])
                return closed, first_row(results[0], replacement.info.encoding)

    assert run(scenario()) == (True, ("next",))
