"""Conformance checks 3-8, 10, 18 and 19: rpc results, database errors and their HTTP statuses."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client

from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import (
    JSON_UTF8,
    api_headers,
    assert_postgrest_error,
    json_object,
    relation_exists,
)



def test_rpc_void_returns_204_with_empty_body(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """Check 3."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql",
        json={"sql": "create table public.c1(x int)"},
        headers=api_headers(dev_keys.service_key),
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert relation_exists(superuser, "public.c1")

    result = service_client.rpc("exec_sql", {"sql": "create table public.c1_client(x int)"}).execute()
    assert result.data == []
    assert relation_exists(superuser, "public.c1_client")


def test_rpc_returning_jsonb_answers_the_value_as_json(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 4: 200, `application/json; charset=utf-8`, the value as the body."""
    payload = {"a": [1, 2], "b": None, "c": "ü"}
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/echo_json", json={"payload": payload}, headers=api_headers(dev_keys.service_key)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    assert response.json() == payload
    assert service_client.rpc("echo_json", {"payload": payload}).execute().data == payload


def test_rpc_returning_null_answers_null(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 4: a NULL result is the body `null`, and the client's `data is None`."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/returns_null", json={}, headers=api_headers(dev_keys.service_key)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    assert response.content == b"null"
    assert service_client.rpc("returns_null", {}).execute().data is None


def test_rpc_setof_and_table_functions_answer_arrays(service_client: Client) -> None:
    """SETOF scalar -> array of values; RETURNS TABLE -> array of objects; defaults fill absent arguments."""
    assert service_client.rpc("numbers", {"n": 3}).execute().data == [1, 2, 3]
    assert service_client.rpc("numbers", {"n": 0}).execute().data == []
    assert service_client.rpc("pairs", {}).execute().data == [{"a": 1, "b": "one"}, {"a": 2, "b": "two"}]
    assert service_client.rpc("add", {"a": 1}).execute().data == 11
    assert service_client.rpc("add", {"a": 1, "b": 2}).execute().data == 3
    assert service_client.rpc("add", {"a": "5"}, get=True).execute().data == 15


def test_exec_sql_failure_rolls_back_earlier_statements(
    service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """Check 5: `create table c2; select 1/0` -> 400 22012, and c2 does not exist."""
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sql": "create table public.c2(x int); select 1/0"}).execute()
    assert raised.value.code == "22012"
    assert raised.value.message == "division by zero"
    assert raised.value.details is None
    assert raised.value.hint is None
    assert not relation_exists(superuser, "public.c2")


def test_exec_sql_division_by_zero_is_400(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Check 5 on the wire."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql",
        json={"sql": "create table public.c2_wire(x int); select 1/0"},
        headers=api_headers(dev_keys.service_key),
    )
    assert_postgrest_error(response, 400, "22012", "division by zero")


def test_exec_sql_commit_is_400_0a000(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Check 6: a transaction command inside EXECUTE."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql", json={"sql": "commit"}, headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(response, 400, "0A000", "EXECUTE of transaction commands is not implemented")


def test_exec_sql_create_index_concurrently_is_500_25001(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 6: statements that cannot run inside a transaction block."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql",
        json={"sql": "create index concurrently forty_two_idx on public.forty_two (id)"},
        headers=api_headers(dev_keys.service_key),
    )
    assert_postgrest_error(response, 500, "25001", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block")
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sql": "vacuum public.forty_two"}).execute()
    assert (raised.value.code, raised.value.message) == ("25001", "VACUUM cannot run inside a transaction block")


def test_raise_with_detail_and_hint_is_400_p0001(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 7."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/fail_with_detail", json={}, headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(response, 400, "P0001", "boom", details="the detail", hint="the hint")
    with pytest.raises(APIError) as raised:
        service_client.rpc("fail_with_detail", {}).execute()
    error = raised.value
    assert (error.code, error.message, error.details, error.hint) == ("P0001", "boom", "the detail", "the hint")


def test_duplicate_key_is_409_23505(rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client) -> None:
    """Check 8."""
    service_client.rpc(
        "exec_sql", {"sql": "create table public.dup(id int primary key); insert into dup values (1)"}
    ).execute()
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql",
        json={"sql": "insert into public.dup values (1)"},
        headers=api_headers(dev_keys.service_key),
    )
    assert_postgrest_error(
        response,
        409,
        "23505",
        'duplicate key value violates unique constraint "dup_pkey"',
        details="Key (id)=(1) already exists.",
    )
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sql": "insert into public.dup values (1)"}).execute()
    assert raised.value.code == "23505"
    assert str(raised.value.details).startswith("Key (")


def test_missing_table_inside_exec_sql_is_404_42p01(service_client: Client) -> None:
    """A relation missing *inside* the SQL is the database's 42P01, not the schema cache's PGRST205."""
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sql": "insert into public.no_such_table values (1)"}).execute()
    assert (raised.value.code, raised.value.message) == ("42P01", 'relation "public.no_such_table" does not exist')


def test_unknown_function_is_404_pgrst202(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 10: `POST /rpc/nope` with `{"sql": ...}`."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/nope", json={"sql": "x"}, headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(
        response,
        404,
        "PGRST202",
        "Could not find the function public.nope(sql) in the schema cache",
        details="Searched for the function public.nope with parameter sql or with a single unnamed json/jsonb "
        "parameter, but no matches were found in the schema cache.",
    )
    with pytest.raises(APIError) as raised:
        service_client.rpc("nope", {"sql": "x"}).execute()
    assert raised.value.code == "PGRST202"


def test_exec_sql_with_wrong_argument_name_is_404_pgrst202(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 10: `exec_sql` with `{"query": ...}` names the arguments it searched for."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql", json={"query": "select 1"}, headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(
        response,
        404,
        "PGRST202",
        "Could not find the function public.exec_sql(query) in the schema cache",
        details="Searched for the function public.exec_sql with parameter query or with a single unnamed json/jsonb "
        "parameter, but no matches were found in the schema cache.",
    )
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"query": "select 1"}).execute()
    assert raised.value.message == "Could not find the function public.exec_sql(query) in the schema cache"


def test_pgrst202_hint_names_the_closest_function(service_client: Client) -> None:
    """A misspelt name gets PostgREST's hint; a close parameter list names the right one."""
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sq", {"sql": "select 1"}).execute()
    assert raised.value.hint == "Perhaps you meant to call the function public.exec_sql"
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sqlx": "select 1"}).execute()
    assert raised.value.hint == "Perhaps you meant to call the function public.exec_sql(sql)"


def test_get_rpc_that_writes_is_405_25006(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """Check 18: GET calls run READ ONLY, whatever the function's volatility."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/rpc/exec_sql",
        params={"sql": "create table public.read_only_write(x int)"},
        headers=api_headers(dev_keys.service_key),
    )
    assert_postgrest_error(response, 405, "25006", "cannot execute CREATE TABLE in a read-only transaction")
    with pytest.raises(APIError) as raised:
        service_client.rpc("exec_sql", {"sql": "create table public.read_only_write(x int)"}, get=True).execute()
    assert raised.value.code == "25006"
    assert not relation_exists(superuser, "public.read_only_write")


def test_post_to_stable_function_runs_read_only_and_volatile_read_write(service_client: Client) -> None:
    """POST follows the function's volatility: STABLE -> READ ONLY, VOLATILE -> READ WRITE."""
    assert json_object(service_client.rpc("whoami", {}).execute().data)["transaction_read_only"] == "on"
    assert service_client.rpc("volatile_read_only", {}).execute().data == "off"
    assert service_client.rpc("volatile_read_only", {}, get=True).execute().data == "on"


def test_anon_statement_timeout_is_500_57014(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Check 19: anon's `statement_timeout` (3 s, from `ALTER ROLE anon SET`) cancels pg_sleep(4)."""
    responses: list[httpx.Response] = []
    http = httpx.Client(event_hooks={"response": [responses.append]})
    anon_client = create_client(rest_server.url, dev_keys.anon_key, ClientOptions(httpx_client=http))
    with pytest.raises(APIError) as raised:
        anon_client.rpc("sleep_four", {}).execute()
    assert (raised.value.code, raised.value.message) == ("57014", "canceling statement due to statement timeout")
    assert (raised.value.details, raised.value.hint) == (None, None)
    [response] = responses
    assert_postgrest_error(response, 500, "57014", "canceling statement due to statement timeout")
