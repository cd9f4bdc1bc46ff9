"""Conformance checks 2, 9, 11, 12 and 13: the gateway's API key, JWT roles, grants, the request preamble."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import Client, create_client

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import JSON_UTF8, api_headers, assert_postgrest_error, json_object


USER_ID = "7d0f5a4e-3c1b-4b9a-9f0e-2a6c8d1e4b57"
NO_KEY_BODY = {"message": "No API key found in request", "hint": "No `apikey` request header or url param was found."}
INVALID_KEY_BODY = {
    "message": "Invalid API key",
    "hint": "Double check your Supabase `anon` or `service_role` API key.",
}


@pytest.mark.parametrize("header_name", ["apiKey", "apikey", "APIKEY", "ApiKey"])
def test_apikey_header_is_matched_in_any_case(
    rest_server: LocalRestServer, dev_keys: DevKeys, header_name: str
) -> None:
    """Check 2: the header name is case-insensitive (supabase-py sends `apiKey`)."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add",
        json={"a": 1},
        headers={header_name: dev_keys.service_key, "Authorization": f"Bearer {dev_keys.service_key}"},
    )
    assert (response.status_code, response.json()) == (200, 11)


def test_missing_apikey_is_401_no_api_key_found(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Check 2: no `apikey` at all (even with a valid Bearer) -> the gateway's 401."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add",
        json={"a": 1},
        headers={"Authorization": f"Bearer {dev_keys.service_key}"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == JSON_UTF8
    assert response.json() == NO_KEY_BODY


def test_unknown_apikey_is_401_invalid_api_key(
    rest_server: LocalRestServer, dev_keys: DevKeys, token: Callable[..., str]
) -> None:
    """Check 2: a key that is neither configured nor a JWT signed with the secret; the client sees `code=None`."""
    response = httpx.get(f"{rest_server.url}/rest/v1/forty_two", headers=api_headers("sb_secret_wrong"))
    assert (response.status_code, response.json()) == (401, INVALID_KEY_BODY)
    forged = token(role="service_role", secret="another-secret-that-is-long-enough-000")
    response = httpx.get(f"{rest_server.url}/rest/v1/forty_two", headers=api_headers(forged))
    assert (response.status_code, response.json()) == (401, INVALID_KEY_BODY)

    with pytest.raises(APIError) as raised:
        create_client(rest_server.url, "abc").rpc("add", {"a": 1}).execute()
    assert (raised.value.code, raised.value.message, raised.value.details) == (None, "Invalid API key", None)
    assert raised.value.hint == INVALID_KEY_BODY["hint"]


def test_apikey_query_parameter_is_accepted(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """The gateway also reads `?apikey=`; it is not taken for a filter or an rpc argument."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two",
        params={"select": "count", "apikey": dev_keys.service_key},
    )
    assert (response.status_code, response.json()) == (200, [{"count": 42}])


def test_anon_key_calling_exec_sql_is_401_42501_with_challenge(
    rest_server: LocalRestServer, dev_keys: DevKeys, anon_client: Client
) -> None:
    """Check 9: the publishable key acts as anon; a missing privilege asks for credentials."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql", json={"sql": "select 1"}, headers=api_headers(dev_keys.anon_key)
    )
    assert_postgrest_error(response, 401, "42501", "permission denied for function exec_sql")
    assert response.headers["www-authenticate"] == "Bearer"
    with pytest.raises(APIError) as raised:
        anon_client.rpc("exec_sql", {"sql": "select 1"}).execute()
    assert (raised.value.code, raised.value.message) == ("42501", "permission denied for function exec_sql")


def test_no_authorization_header_runs_as_anon(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Check 12: without `Authorization` (apikey only) the role is anon with claims `{role: anon}`."""
    response = httpx.post(f"{rest_server.url}/rest/v1/rpc/whoami", json={}, headers={"apikey": dev_keys.service_key})
    assert response.status_code == 200
    identity = response.json()
    assert identity["current_user"] == "anon"
    assert identity["claims"] == {"role": "anon"}
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/exec_sql", json={"sql": "select 1"}, headers={"apikey": dev_keys.service_key}
    )
    assert_postgrest_error(response, 401, "42501", "permission denied for function exec_sql")


def test_authenticated_jwt_calling_exec_sql_is_403_42501(
    rest_server: LocalRestServer, token: Callable[..., str]
) -> None:
    """Check 9: an HS256 JWT with role authenticated (also used as apikey, as create_client does) -> 403."""
    jwt = token(role="authenticated", sub=USER_ID)
    response = httpx.post(f"{rest_server.url}/rest/v1/rpc/exec_sql", json={"sql": "select 1"}, headers=api_headers(jwt))
    assert_postgrest_error(response, 403, "42501", "permission denied for function exec_sql")
    assert "www-authenticate" not in response.headers
    with pytest.raises(APIError) as raised:
        create_client(rest_server.url, jwt).rpc("exec_sql", {"sql": "select 1"}).execute()
    assert raised.value.code == "42501"


@pytest.mark.parametrize(("role", "status"), [("anon", 401), ("authenticated", 403)])
def test_api_roles_cannot_read_schema_migrations(
    rest_server: LocalRestServer, dev_keys: DevKeys, token: Callable[..., str], role: str, status: int
) -> None:
    """The history table's grants are real: anon and authenticated are refused, service_role reads it."""
    bearer = dev_keys.anon_key if role == "anon" else token(role=role, sub=USER_ID)
    response = httpx.get(
        f"{rest_server.url}/rest/v1/schema_migrations",
        params={"select": "*"},
        headers=api_headers(dev_keys.anon_key, bearer=bearer),
    )
    assert_postgrest_error(response, status, "42501", "permission denied for table schema_migrations")
    response = httpx.get(
        f"{rest_server.url}/rest/v1/schema_migrations",
        params={"select": "*"},
        headers=api_headers(dev_keys.service_key),
    )
    assert (response.status_code, response.json()) == (200, [])


def test_wrong_secret_jwt_is_401_pgrst301(
    rest_server: LocalRestServer,
    dev_keys: DevKeys,
    token: Callable[..., str],
    client_with_token: Callable[[str], Client],
) -> None:
    """Check 11: a signature that does not verify (apikey valid, Bearer forged)."""
    forged = token(role="service_role", secret="not-the-project-secret-but-32-chars-long")
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add",
        json={"a": 1},
        headers=api_headers(dev_keys.anon_key, bearer=forged),
    )
    assert_postgrest_error(response, 401, "PGRST301", "No suitable key or wrong key type")
    assert response.headers["www-authenticate"] == (
        'Bearer error="invalid_token", error_description="No suitable key or wrong key type"'
    )
    with pytest.raises(APIError) as raised:
        client_with_token(forged).rpc("add", {"a": 1}).execute()
    assert raised.value.code == "PGRST301"


def test_malformed_bearer_is_401_pgrst301(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """A Bearer that is not a JWT (as PostgREST v13 says to a raw `sb_` key it does not know)."""
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add", json={"a": 1}, headers=api_headers(dev_keys.anon_key, bearer="abc")
    )
    assert_postgrest_error(response, 401, "PGRST301", "Expected 3 parts in JWT; got 1")


def test_jwt_expired_60_seconds_ago_is_401_jwt_expired(
    rest_server: LocalRestServer,
    dev_keys: DevKeys,
    token: Callable[..., str],
    client_with_token: Callable[[str], Client],
) -> None:
    """Check 11: beyond the 30 s clock skew -> 401 PGRST303 `JWT expired`."""
    expired = token(role="authenticated", sub=USER_ID, exp_in=-60)
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add", json={"a": 1}, headers=api_headers(dev_keys.anon_key, bearer=expired)
    )
    assert_postgrest_error(response, 401, "PGRST303", "JWT expired")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token", error_description="JWT expired"'
    with pytest.raises(APIError) as raised:
        client_with_token(expired).rpc("add", {"a": 1}).execute()
    assert (raised.value.code, raised.value.message) == ("PGRST303", "JWT expired")


def test_jwt_expired_10_seconds_ago_is_accepted(
    token: Callable[..., str], client_with_token: Callable[[str], Client]
) -> None:
    """Check 11: within the 30 s clock skew."""
    recent = token(role="authenticated", sub=USER_ID, exp_in=-10)
    assert json_object(client_with_token(recent).rpc("whoami", {}).execute().data)["current_user"] == "authenticated"


def test_request_runs_as_the_jwt_role_with_its_claims(
    token: Callable[..., str], client_with_token: Callable[[str], Client]
) -> None:
    """Check 12: current_user, request.jwt.claims (with sub and role), auth.uid(), the role's settings."""
    jwt = token(role="authenticated", sub=USER_ID, email="a@example.com")
    identity = json_object(client_with_token(jwt).rpc("whoami", {}).execute().data)
    assert identity["current_user"] == "authenticated"
    assert identity["uid"] == USER_ID
    assert identity["claims"]["sub"] == USER_ID
    assert identity["claims"]["role"] == "authenticated"
    assert identity["claims"]["email"] == "a@example.com"
    assert identity["statement_timeout"] == "8s"
    assert identity["search_path"] == '"public", "extensions"'
    assert (identity["method"], identity["path"]) == ("POST", "/rpc/whoami")


def test_role_settings_are_applied_per_role(service_client: Client, anon_client: Client) -> None:
    """`ALTER ROLE anon SET statement_timeout = '3s'` applies through set_config; service_role keeps 8 s."""
    assert json_object(anon_client.rpc("whoami", {}).execute().data)["statement_timeout"] == "3s"
    service_identity = json_object(service_client.rpc("whoami", {}).execute().data)
    assert service_identity["current_user"] == "service_role"
    assert service_identity["claims"] == {"role": "service_role"}
    assert service_identity["statement_timeout"] == "8s"


def test_set_config_from_one_request_is_gone_in_the_next(
    isolated_server: LocalRestServer, dev_keys: DevKeys, embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> None:
    """Check 13: transaction-local settings die with the request's transaction (same pooled connection)."""
    generation = isolated_server.schema_generation
    with embedded_postgres.connect(fresh_database) as connection:
        connection.execute(
            "create function public.set_marker(value text) returns jsonb language sql volatile as $$"
            " select jsonb_build_object('marker', set_config('omnia.marker', value, true), 'pid', pg_backend_pid()) $$;"
            "create function public.read_marker() returns jsonb language sql stable as $$"
            " select jsonb_build_object('marker', current_setting('omnia.marker', true), 'pid', pg_backend_pid(),"
            " 'role', current_setting('role'), 'claims', current_setting('request.jwt.claims', true)) $$;"
            "notify pgrst, 'reload schema'"
        )
    isolated_server.wait_for_schema_reload(generation)
    client = create_client(isolated_server.url, dev_keys.service_key)
    first = json_object(client.rpc("set_marker", {"value": "from request N"}).execute().data)
    second = json_object(client.rpc("read_marker", {}).execute().data)
    assert first["marker"] == "from request N"
    assert second["pid"] == first["pid"]  # the pool has one connection: the same session
    assert second["marker"] == ""  # the placeholder survives the transaction, its value does not
    assert second["role"] == "service_role"
    with psycopg.connect(embedded_postgres.url(fresh_database)) as check:
        row = check.execute(
            "select state, backend_xid from pg_stat_activity where pid = %s", (second["pid"],)
        ).fetchone()
    assert row == ("idle", None)  # back in the pool outside any transaction
