"""The request's transaction, sent as one pipeline: a failure at any of its statements rolls everything back.

BEGIN, the set_config preamble, the main statement and COMMIT go out together;
PostgreSQL skips what follows a failure. Each case below fails at a different
statement and then checks, on the pool's only connection, that nothing was
committed and that the session is idle, outside any transaction, and usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from supabase import create_client

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import api_headers, assert_postgrest_error, json_object

SETUP_SQL = """
create table public.deferred_unique (x integer unique deferrable initially deferred);
create table public.numbers_table (id integer primary key);
insert into public.numbers_table values (1), (2);
create function public.session() returns jsonb language sql stable as $$
    select jsonb_build_object(
        'pid', pg_backend_pid(),
        'role', current_user,
        'marker', current_setting('omnia.marker', true),
        'read_only', current_setting('transaction_read_only'))
$$;
notify pgrst, 'reload schema';
"""


@pytest.fixture
def server(
    isolated_server: LocalRestServer, embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> Iterator[LocalRestServer]:
    """One pooled connection, with the tables and the `session()` probe above in its schema cache."""
    generation = isolated_server.schema_generation
    with embedded_postgres.connect(fresh_database) as connection:
        connection.execute(SETUP_SQL)
    isolated_server.wait_for_schema_reload(generation)
    yield isolated_server


@pytest.fixture
def superuser_of(embedded_postgres: EmbeddedPostgres, fresh_database: str) -> Iterator[psycopg.Connection[Any]]:
    """A superuser connection to the isolated server's database."""
    with embedded_postgres.connect(fresh_database) as connection:
        yield connection


def session_of(server: LocalRestServer, key: str) -> dict[str, Any]:
    """What the pool's connection looks like from inside a request."""
    return json_object(create_client(server.url, key).rpc("session", {}).execute().data)


def assert_idle(superuser: psycopg.Connection[Any], pid: int) -> None:
    """The backend is back in the pool: idle, no transaction, no transaction id."""
    row = superuser.execute("select state, backend_xid from pg_stat_activity where pid = %s", (pid,)).fetchone()
    assert row == ("idle", None)


def post_exec_sql(server: LocalRestServer, key: str, sql: str, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/rest/v1/rpc/exec_sql", json={"sql": sql}, headers=api_headers(key, extra=headers)
    )


def test_a_failing_preamble_answers_its_error_and_runs_nothing(
    server: LocalRestServer,
    dev_keys: DevKeys,
    token: Callable[..., str],
    superuser_of: psycopg.Connection[Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A JWT role that does not exist fails in set_config('role'): v13's 401 22023; the call never runs."""
    before = session_of(server, dev_keys.service_key)
    jwt = token(role="no_such_role")
    with caplog.at_level(logging.WARNING, logger="psycopg"):
        response = httpx.post(
            f"{server.url}/rest/v1/rpc/exec_sql",
            json={"sql": "insert into public.numbers_table values (3)"},
            headers=api_headers(dev_keys.anon_key, bearer=jwt),
        )
    assert_postgrest_error(response, 401, "22023", 'role "no_such_role" does not exist')
    assert [record.getMessage() for record in caplog.records] == []  # no "error ignored terminating" pipeline
    assert superuser_of.execute("select count(*) from public.numbers_table").fetchone() == (2,)
    after = session_of(server, dev_keys.service_key)
    assert after["pid"] == before["pid"]  # the same connection, not a replacement
    assert after["role"] == "service_role"
    assert_idle(superuser_of, after["pid"])


def test_a_failing_main_statement_rolls_back_and_skips_commit(
    server: LocalRestServer, dev_keys: DevKeys, superuser_of: psycopg.Connection[Any]
) -> None:
    """`set_config` then `1/0` in exec_sql: 400 22012; neither the setting nor the insert survives."""
    before = session_of(server, dev_keys.service_key)
    response = post_exec_sql(
        server,
        dev_keys.service_key,
        "insert into public.numbers_table values (3); select set_config('omnia.marker', 'leaked', false); select 1/0",
    )
    assert_postgrest_error(response, 400, "22012", "division by zero")
    assert superuser_of.execute("select count(*) from public.numbers_table").fetchone() == (2,)
    after = session_of(server, dev_keys.service_key)
    assert after["pid"] == before["pid"]
    assert after["marker"] in (None, "")  # even a session-level set_config is undone by the rollback
    assert_idle(superuser_of, after["pid"])


def test_a_failing_commit_answers_its_error(
    server: LocalRestServer, dev_keys: DevKeys, superuser_of: psycopg.Connection[Any]
) -> None:
    """A deferred unique constraint fails at COMMIT: 409 23505 with PostgreSQL's details; nothing is kept."""
    before = session_of(server, dev_keys.service_key)
    response = post_exec_sql(server, dev_keys.service_key, "insert into public.deferred_unique values (1), (1)")
    assert_postgrest_error(
        response,
        409,
        "23505",
        'duplicate key value violates unique constraint "deferred_unique_x_key"',
        details="Key (x)=(1) already exists.",
    )
    assert superuser_of.execute("select count(*) from public.deferred_unique").fetchone() == (0,)
    after = session_of(server, dev_keys.service_key)
    assert after["pid"] == before["pid"]
    assert_idle(superuser_of, after["pid"])


def test_a_failing_read_rolls_back_and_the_next_request_is_read_only(
    server: LocalRestServer, dev_keys: DevKeys, superuser_of: psycopg.Connection[Any]
) -> None:
    """A table read whose filter cannot be cast: 400 22P02; the connection serves the next request."""
    response = httpx.get(
        f"{server.url}/rest/v1/numbers_table?id=eq.not_a_number", headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(response, 400, "22P02", 'invalid input syntax for type integer: "not_a_number"')
    after = session_of(server, dev_keys.service_key)
    assert after["read_only"] == "on"  # STABLE: its own READ ONLY transaction
    assert_idle(superuser_of, after["pid"])


def test_successive_requests_commit_in_order_on_one_connection(
    server: LocalRestServer, dev_keys: DevKeys, superuser_of: psycopg.Connection[Any]
) -> None:
    """Each request's COMMIT lands before the next request starts: what one wrote, the next one sees."""
    client = create_client(server.url, dev_keys.service_key)
    for value in range(3, 13):
        client.rpc("exec_sql", {"sql": f"insert into public.numbers_table values ({value})"}).execute()
        read = client.table("numbers_table").select("*", count="exact").limit(1).execute()
        assert read.count == value
    assert superuser_of.execute("select count(*) from public.numbers_table").fetchone() == (12,)
