"""Helpers shared by the local endpoint's tests (fixtures live in `conftest.py`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import psycopg

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.localstack.rest import RestConfig

JSON_UTF8 = "application/json; charset=utf-8"


def api_headers(key: str, *, bearer: str | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Headers supabase-py sends: `apiKey` and `Authorization: Bearer` (the key itself unless `bearer`)."""
    return {"apiKey": key, "Authorization": f"Bearer {bearer or key}", **(extra or {})}


def json_object(data: Any) -> dict[str, Any]:
    """`data` (a client's `.data`), checked to be a JSON object."""
    assert isinstance(data, dict), data
    return data


def relation_exists(connection: psycopg.Connection[Any], name: str) -> bool:
    """Whether `name` (e.g. `public.c1`) exists, asked as superuser."""
    row = connection.execute("select to_regclass(%s) is not null", (name,)).fetchone()
    return bool(row and row[0])


def assert_postgrest_error(
    response: httpx.Response,
    status: int,
    code: str,
    message: str,
    *,
    details: str | None = None,
    hint: str | None = None,
) -> None:
    """The response is PostgREST's error: exact status, body, Content-Type and Proxy-Status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON_UTF8
    assert response.headers["proxy-status"] == f"PostgREST; error={code}"
    assert response.json() == {"code": code, "details": details, "hint": hint, "message": message}


def rest_config(embedded_postgres: EmbeddedPostgres, database: str, keys: DevKeys, **options: Any) -> RestConfig:
    """The endpoint's configuration for `database`, logging in as `authenticator`."""
    return RestConfig(
        database_url=embedded_postgres.url(database, "authenticator"),
        jwt_secret=keys.jwt_secret,
        api_keys=keys.roles_by_key,
        **options,
    )
