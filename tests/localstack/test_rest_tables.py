"""Conformance checks 14, 15 and 20: table reads, counts, Content-Range and profiles."""

from __future__ import annotations

import httpx
import pytest
from postgrest.exceptions import APIError
from postgrest.types import CountMethod
from supabase import Client

from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer
from tests.localstack.rest_support import JSON_UTF8, api_headers, assert_postgrest_error



def test_select_count_reads_count_of_the_table_before_limit(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 14: `select=count` is `"public"."t"."count"`, i.e. count(t), with `Content-Range: 0-0/*`."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=count&limit=1", headers=api_headers(dev_keys.service_key)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_UTF8
    assert response.headers["content-range"] == "0-0/*"
    assert response.json() == [{"count": 42}]
    result = service_client.table("forty_two").select("count").limit(1).execute()
    assert (result.data, result.count) == ([{"count": 42}], None)
    empty = service_client.table("empty_table").select("count").limit(1).execute()
    assert (empty.data, empty.count) == ([{"count": 0}], None)


def test_select_count_prefers_a_real_count_column(service_client: Client) -> None:
    """A table with a `count` column returns that column, not count(t)."""
    result = service_client.table("has_count_column").select("count").execute()
    assert result.data == [{"count": 7}, {"count": 8}]


def test_exact_count_with_limit_is_206_with_total(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 15: `Prefer: count=exact`, limit 1 of 42 -> 206, one row, `0-0/42`, `.count == 42`."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=%2A&limit=1",
        headers=api_headers(dev_keys.service_key, extra={"Prefer": "count=exact"}),
    )
    assert response.status_code == 206
    assert response.headers["content-range"] == "0-0/42"
    assert response.json() == [{"id": 1}]
    result = service_client.table("forty_two").select("*", count=CountMethod.exact).limit(1).execute()
    assert (result.data, result.count) == ([{"id": 1}], 42)


def test_exact_count_on_empty_table_is_200_star_slash_zero(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 15: an empty table -> 200 `[]`, `*/0`, `.count == 0`."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/empty_table?select=%2A&limit=1",
        headers=api_headers(dev_keys.service_key, extra={"Prefer": "count=exact"}),
    )
    assert (response.status_code, response.headers["content-range"], response.json()) == (200, "*/0", [])
    result = service_client.table("empty_table").select("*", count=CountMethod.exact).limit(1).execute()
    assert (result.data, result.count) == ([], 0)


def test_exact_count_covering_every_row_is_200(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """All rows on the page -> 200 with the full range."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=id",
        headers=api_headers(dev_keys.service_key, extra={"Prefer": "count=exact"}),
    )
    assert (response.status_code, response.headers["content-range"]) == (200, "0-41/42")
    assert len(response.json()) == 42


def test_offset_past_the_total_is_416(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """An offset beyond the counted total -> 416 PGRST103."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=id&offset=50&limit=5",
        headers=api_headers(dev_keys.service_key, extra={"Prefer": "count=exact"}),
    )
    assert_postgrest_error(
        response,
        416,
        "PGRST103",
        "Requested range not satisfiable",
        details="An offset of 50 was requested, but there are only 42 rows.",
    )
    assert response.headers["content-range"] == "*/42"


def test_offset_limit_and_uncounted_range(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Without a count: 200, `first-last/*`; an empty page is `*/*`."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=id&offset=40&limit=5", headers=api_headers(dev_keys.service_key)
    )
    assert (response.status_code, response.headers["content-range"]) == (200, "40-41/*")
    assert response.json() == [{"id": 41}, {"id": 42}]
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two?select=id&offset=100", headers=api_headers(dev_keys.service_key)
    )
    assert (response.status_code, response.headers["content-range"], response.json()) == (200, "*/*", [])


def test_filters_order_and_aliases(service_client: Client) -> None:
    """The common filters, `order` and `alias:column` work as in PostgREST."""
    table = service_client.table("forty_two")
    assert table.select("id").eq("id", 5).execute().data == [{"id": 5}]
    assert table.select("ident:id").in_("id", [1, 3]).order("id", desc=True).execute().data == [
        {"ident": 3},
        {"ident": 1},
    ]
    assert table.select("count").gt("id", 40).execute().data == [{"count": 2}]
    assert table.select("id").lte("id", 2).neq("id", 1).execute().data == [{"id": 2}]


def test_head_request_has_headers_and_no_body(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """HEAD answers GET's status and Content-Range without a body."""
    response = httpx.head(
        f"{rest_server.url}/rest/v1/forty_two?limit=1",
        headers=api_headers(dev_keys.service_key, extra={"Prefer": "count=exact"}),
    )
    assert (response.status_code, response.headers["content-range"], response.content) == (206, "0-0/42", b"")


def test_unexposed_accept_profile_is_406_pgrst106(
    rest_server: LocalRestServer, dev_keys: DevKeys, service_client: Client
) -> None:
    """Check 20: `Accept-Profile: other` (and `Content-Profile` on POST) -> 406 PGRST106."""
    response = httpx.get(
        f"{rest_server.url}/rest/v1/forty_two",
        headers=api_headers(dev_keys.service_key, extra={"Accept-Profile": "other"}),
    )
    assert_postgrest_error(
        response,
        406,
        "PGRST106",
        "Invalid schema: other",
        hint="Only the following schemas are exposed: public, graphql_public",
    )
    response = httpx.post(
        f"{rest_server.url}/rest/v1/rpc/add",
        json={"a": 1},
        headers=api_headers(dev_keys.service_key, extra={"Content-Profile": "other"}),
    )
    assert response.status_code == 406
    with pytest.raises(APIError) as raised:
        service_client.schema("other").table("forty_two").select("*").execute()
    assert (raised.value.code, raised.value.message) == ("PGRST106", "Invalid schema: other")


def test_aggregate_select_is_400_pgrst123(service_client: Client) -> None:
    """`select=count()` is an aggregate; Supabase keeps aggregates disabled."""
    with pytest.raises(APIError) as raised:
        service_client.table("forty_two").select("count()").execute()
    assert (raised.value.code, raised.value.message) == ("PGRST123", "Use of aggregate functions is not allowed")


def test_writes_to_tables_are_refused_with_405(service_client: Client) -> None:
    """The local endpoint only reads tables; writes go through rpc."""
    with pytest.raises(APIError) as raised:
        service_client.table("forty_two").insert({"id": 100}).execute()
    assert (raised.value.code, raised.value.message) == ("PGRST117", "Unsupported HTTP method: POST")
