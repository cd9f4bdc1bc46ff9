"""Conformance check 21: every PostgREST error body is exactly {code, details, hint, message} + Proxy-Status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import JSON_UTF8, api_headers


# (name, method, path, json body, extra headers, which key: "service" | "anon" | "forged" | "expired")
ERROR_REQUESTS: list[tuple[str, str, str, dict[str, Any] | None, dict[str, str], str]] = [
    ("22012 division by zero", "POST", "/rpc/exec_sql", {"sql": "select 1/0"}, {}, "service"),
    ("0A000 commit in EXECUTE", "POST", "/rpc/exec_sql", {"sql": "commit"}, {}, "service"),
    ("42601 syntax error", "POST", "/rpc/exec_sql", {"sql": "selec 1"}, {}, "service"),
    ("42P01 missing table in SQL", "POST", "/rpc/exec_sql", {"sql": "select * from nowhere"}, {}, "service"),
    ("42501 anon", "POST", "/rpc/exec_sql", {"sql": "select 1"}, {}, "anon"),
    ("P0001 raise", "POST", "/rpc/fail_with_detail", {}, {}, "service"),
    ("25006 read-only GET", "GET", "/rpc/exec_sql?sql=create+table+x(y+int)", None, {}, "service"),
    ("PGRST202 unknown function", "POST", "/rpc/nope", {"sql": "x"}, {}, "service"),
    ("PGRST205 unknown table", "GET", "/nope", None, {}, "service"),
    ("PGRST106 unexposed schema", "GET", "/forty_two", None, {"Accept-Profile": "other"}, "service"),
    ("PGRST102 invalid body", "POST", "/rpc/add", None, {"Content-Type": "application/json"}, "service"),
    ("PGRST301 forged JWT", "POST", "/rpc/add", {"a": 1}, {}, "forged"),
    ("PGRST303 expired JWT", "POST", "/rpc/add", {"a": 1}, {}, "expired"),
    ("PGRST100 bad limit", "GET", "/forty_two?limit=x", None, {}, "service"),
    ("PGRST123 aggregate", "GET", "/forty_two?select=count()", None, {}, "service"),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "extra", "key"),
    ERROR_REQUESTS,
    ids=[request[0] for request in ERROR_REQUESTS],
)
def test_error_body_has_exactly_code_details_hint_message(
    rest_server: LocalRestServer,
    dev_keys: DevKeys,
    token: Callable[..., str],
    name: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    extra: dict[str, str],
    key: str,
) -> None:
    """Check 21: exact keys, `code` a string, JSON content type and `Proxy-Status: PostgREST; error=<code>`."""
    bearer = {
        "service": dev_keys.service_key,
        "anon": dev_keys.anon_key,
        "forged": token(role="service_role", secret="x" * 40),
        "expired": token(role="service_role", exp_in=-3600),
    }[key]
    content = None if body is None else httpx.Request("POST", "http://x", json=body).content
    if body is None and method == "POST":
        content = b"{not json"
    response = httpx.request(
        method,
        f"{rest_server.url}/rest/v1{path}",
        content=content,
        headers={**api_headers(dev_keys.service_key, bearer=bearer, extra=extra), "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 600
    assert response.headers["content-type"] == JSON_UTF8
    error = response.json()
    assert sorted(error) == ["code", "details", "hint", "message"]
    assert isinstance(error["code"], str)
    assert error["code"] == name.split()[0]
    assert isinstance(error["message"], str)
    assert error["details"] is None or isinstance(error["details"], str)
    assert error["hint"] is None or isinstance(error["hint"], str)
    assert response.headers["proxy-status"] == f"PostgREST; error={error['code']}"
