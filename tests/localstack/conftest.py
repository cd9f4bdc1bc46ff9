"""Fixtures for the local endpoint's conformance tests: one endpoint per test module, real clients.

Each module gets its own database (copied from the prepared template) with
the helper functions and tables below, created *before* the endpoint loads
its schema cache; tests that need a pristine endpoint use `isolated_server`.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from supabase import Client, ClientOptions, create_client

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys, sign_jwt
from service.localstack.rest import LocalRestServer

# Before the import below, so the helpers' asserts show pytest's detailed diffs.
pytest.register_assert_rewrite("tests.localstack.rest_support")
from tests.localstack.rest_support import rest_config  # noqa: E402

_module_databases = itertools.count(1)

# What the conformance tests call; default privileges grant every function to anon/authenticated/service_role.
HELPERS_SQL = """
create table public.forty_two (id integer primary key);
insert into public.forty_two select generate_series(1, 42);
create table public.empty_table (id integer primary key);
create table public.has_count_column (count integer);
insert into public.has_count_column values (7), (8);

create function public.echo_json(payload jsonb) returns jsonb
    language sql stable as $$ select payload $$;
create function public.returns_null() returns jsonb
    language sql stable as $$ select null::jsonb $$;
create function public.numbers(n integer) returns setof integer
    language sql stable as $$ select generate_series(1, n) $$;
create function public.pairs() returns table (a integer, b text)
    language sql stable as $$ values (1, 'one'), (2, 'two') $$;
create function public.add(a integer, b integer default 10) returns integer
    language sql immutable as $$ select a + b $$;
create function public.whoami() returns jsonb
    language sql stable as $$
    select jsonb_build_object(
        'current_user', current_user,
        'claims', nullif(current_setting('request.jwt.claims', true), '')::jsonb,
        'uid', auth.uid(),
        'statement_timeout', current_setting('statement_timeout'),
        'search_path', current_setting('search_path'),
        'method', current_setting('request.method', true),
        'path', current_setting('request.path', true),
        'marker', current_setting('omnia.marker', true),
        'transaction_read_only', current_setting('transaction_read_only'),
        'backend_pid', pg_backend_pid()
    )
    $$;
create function public.set_marker(value text) returns text
    language sql volatile as $$ select set_config('omnia.marker', value, true) $$;
create function public.fail_with_detail() returns void
    language plpgsql as $$
    begin
        raise exception 'boom' using detail = 'the detail', hint = 'the hint';
    end
    $$;
create function public.volatile_read_only() returns text
    language sql volatile as $$ select current_setting('transaction_read_only') $$;
create function public.sleep_four() returns void
    language sql as $$ select pg_sleep(4) $$;
"""


@pytest.fixture(scope="module")
def rest_database(embedded_postgres: EmbeddedPostgres) -> Iterator[str]:
    """A database for this test module: the prepared template plus `HELPERS_SQL`."""
    name = f"rest_{os.getpid()}_{next(_module_databases)}"
    embedded_postgres.create_database(name)
    with embedded_postgres.connect(name) as connection:
        connection.execute(HELPERS_SQL)
    yield name
    embedded_postgres.drop_database(name)


@pytest.fixture(scope="module")
def rest_server(
    embedded_postgres: EmbeddedPostgres, rest_database: str, dev_keys: DevKeys
) -> Iterator[LocalRestServer]:
    """The module's endpoint, schema cache loaded after `HELPERS_SQL`."""
    with LocalRestServer(rest_config(embedded_postgres, rest_database, dev_keys)) as server:
        yield server
        server.faults.clear()


@pytest.fixture
def isolated_server(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys
) -> Iterator[LocalRestServer]:
    """An endpoint of its own over a fresh database (only the template's objects), one pooled connection."""
    with LocalRestServer(rest_config(embedded_postgres, fresh_database, dev_keys, pool_max_size=1)) as server:
        yield server


@pytest.fixture
def superuser(embedded_postgres: EmbeddedPostgres, rest_database: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit superuser connection to the module's database, for setup and checks."""
    with embedded_postgres.connect(rest_database) as connection:
        yield connection


@pytest.fixture
def service_client(rest_server: LocalRestServer, dev_keys: DevKeys) -> Client:
    """supabase-py with the secret key (service_role), as the migration service uses it."""
    return create_client(rest_server.url, dev_keys.service_key)


@pytest.fixture
def anon_client(rest_server: LocalRestServer, dev_keys: DevKeys) -> Client:
    """supabase-py with the publishable key (anon)."""
    return create_client(rest_server.url, dev_keys.anon_key)


@pytest.fixture
def token(dev_keys: DevKeys) -> Callable[..., str]:
    """`token(role="authenticated", sub=..., exp_in=3600)`: an HS256 JWT signed with the project's secret."""

    def sign(*, secret: str | None = None, exp_in: int | None = 3600, **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {"iat": now - 60, **claims}
        if exp_in is not None:
            payload["exp"] = now + exp_in
        return sign_jwt(secret or dev_keys.jwt_secret, payload)

    return sign


@pytest.fixture
def client_with_token(rest_server: LocalRestServer, dev_keys: DevKeys) -> Callable[[str], Client]:
    """`client_with_token(jwt)`: supabase-py sending the publishable key as `apikey` and `jwt` as Bearer."""

    def make(jwt: str) -> Client:
        options = ClientOptions(headers={"Authorization": f"Bearer {jwt}"})
        return create_client(rest_server.url, dev_keys.anon_key, options)

    return make
