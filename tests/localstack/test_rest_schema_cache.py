"""Conformance checks 16 and 17: the v13 schema cache, stale until `NOTIFY pgrst, 'reload schema'`."""

from __future__ import annotations

import httpx
import pytest
from postgrest.exceptions import APIError
from supabase import Client

from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import api_headers, assert_postgrest_error



def test_table_created_after_cache_load_is_404_pgrst205_until_reload(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 16: the table exists in PostgreSQL but not in the cache; a reload makes it readable."""
    service_client.rpc(
        "exec_sql", {"sql": "create table public.created_after_load(x int); insert into created_after_load values (1)"}
    ).execute()
    response = httpx.get(
        f"{rest_server.url}/rest/v1/created_after_load?select=*", headers=api_headers(dev_keys.service_key)
    )
    assert_postgrest_error(
        response, 404, "PGRST205", "Could not find the table 'public.created_after_load' in the schema cache"
    )
    with pytest.raises(APIError) as raised:
        service_client.table("created_after_load").select("*").execute()
    assert raised.value.code == "PGRST205"

    generation = rest_server.schema_generation
    service_client.rpc("exec_sql", {"sql": "notify pgrst, 'reload schema'"}).execute()
    assert rest_server.wait_for_schema_reload(generation) > generation

    result = service_client.table("created_after_load").select("*").execute()
    assert result.data == [{"x": 1}]


def test_pgrst205_hint_names_the_closest_table(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """A misspelt table name gets PostgREST's `Perhaps you meant the table ...` hint."""
    response = httpx.get(f"{rest_server.url}/rest/v1/forty_twoo", headers=api_headers(dev_keys.service_key))
    assert_postgrest_error(
        response,
        404,
        "PGRST205",
        "Could not find the table 'public.forty_twoo' in the schema cache",
        hint="Perhaps you meant the table 'public.forty_two'",
    )


def test_function_created_after_cache_load_is_404_pgrst202_until_reload(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 17: a new function is unknown until a reload, then callable (void -> 204)."""
    service_client.rpc(
        "exec_sql", {"sql": "create function public.late_function(n int) returns void language sql as 'select 1'"}
    ).execute()
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/late_function", json={"n": 1}, headers=api_headers(dev_keys.service_key)
    )
    assert response.status_code == 404
    assert response.json()["message"] == "Could not find the function public.late_function(n) in the schema cache"

    generation = rest_server.schema_generation
    service_client.rpc("exec_sql", {"sql": "notify pgrst, 'reload schema'"}).execute()
    rest_server.wait_for_schema_reload(generation)

    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/late_function", json={"n": 1}, headers=api_headers(dev_keys.service_key)
    )
    assert (response.status_code, response.content) == (204, b"")
    assert service_client.rpc("late_function", {"n": 1}).execute().data == []


def test_empty_notify_payload_reloads_the_cache(rest_server: LocalRestServer, service_client: Client) -> None:
    """`NOTIFY pgrst` with no payload reloads too, as in PostgREST."""
    generation = rest_server.schema_generation
    service_client.rpc("exec_sql", {"sql": "notify pgrst"}).execute()
    assert rest_server.wait_for_schema_reload(generation) > generation


def test_other_channels_and_payloads_do_not_reload(rest_server: LocalRestServer, service_client: Client) -> None:
    """Only `pgrst` with `reload schema` (or nothing) reloads; a marker reload proves the order."""
    generation = rest_server.schema_generation
    service_client.rpc("exec_sql", {"sql": "notify pgrst, 'something else'; notify other_channel"}).execute()
    service_client.rpc("exec_sql", {"sql": "notify pgrst, 'reload schema'"}).execute()
    assert rest_server.wait_for_schema_reload(generation) == generation + 1
    with pytest.raises(TimeoutError):
        rest_server.wait_for_schema_reload(generation + 1, timeout_s=0.2)


def test_rolled_back_notify_does_not_reload(rest_server: LocalRestServer, service_client: Client) -> None:
    """A NOTIFY is delivered on commit only: a failed exec_sql sends nothing."""
    generation = rest_server.schema_generation
    with pytest.raises(APIError):
        service_client.rpc("exec_sql", {"sql": "notify pgrst, 'reload schema'; select 1/0"}).execute()
    with pytest.raises(TimeoutError):
        rest_server.wait_for_schema_reload(generation, timeout_s=0.2)
