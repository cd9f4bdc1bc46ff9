"""Fault injection: a lost response after commit, a lost request before it, a late answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client

from service.localstack.keys import DevKeys
from service.localstack.rest import FaultKind, LocalRestServer
from tests.localstack.rest_support import api_headers, relation_exists



@pytest.fixture(autouse=True)
def disarmed(rest_server: LocalRestServer) -> Iterator[None]:
    """Every test starts and ends with no fault armed."""
    rest_server.faults.clear()
    yield
    rest_server.faults.clear()


def test_drop_after_commit_loses_the_response_but_keeps_the_table(
    rest_server: LocalRestServer, service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """The client sees a transport error, never a response, yet the transaction committed."""
    rest_server.faults.arm("drop_after_commit")
    with pytest.raises(httpx.TransportError):
        service_client.rpc("exec_sql", {"sql": "create table public.committed_but_lost(x int)"}).execute()
    assert relation_exists(superuser, "public.committed_but_lost")
    assert rest_server.faults.fired == [(FaultKind.DROP_AFTER_COMMIT, "/rest/v1/rpc/exec_sql")]
    # The next call works again: the fault fired once.
    assert service_client.rpc("exec_sql", {"sql": "select 1"}).execute().data == []


def test_drop_before_loses_the_request_and_runs_nothing(
    rest_server: LocalRestServer, service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """Nothing reaches the database: no table, and the client raises a transport error."""
    rest_server.faults.arm(FaultKind.DROP_BEFORE)
    with pytest.raises(httpx.TransportError):
        service_client.rpc("exec_sql", {"sql": "create table public.never_created(x int)"}).execute()
    assert not relation_exists(superuser, "public.never_created")
    assert rest_server.faults.pending == 0


def test_drop_before_on_raw_httpx_is_a_transport_error(rest_server: LocalRestServer, dev_keys: DevKeys) -> None:
    """Raw httpx sees the same: no status line at all."""
    rest_server.faults.arm("drop_before", times=2)
    for _ in range(2):
        with pytest.raises(httpx.TransportError):
            httpx.post(
                f"{rest_server.url}/rest/v1/rpc/exec_sql",
                json={"sql": "select 1"},
                headers=api_headers(dev_keys.service_key),
            )
    assert rest_server.faults.pending == 0


def test_faults_only_hit_their_path_prefix(rest_server: LocalRestServer, service_client: Client) -> None:
    """A fault armed for exec_sql leaves other paths alone until an exec_sql call takes it."""
    rest_server.faults.arm("drop_before")
    assert service_client.rpc("add", {"a": 1}).execute().data == 11
    assert rest_server.faults.pending == 1


def test_delay_after_commit_times_the_client_out_after_commit(
    rest_server: LocalRestServer, dev_keys: DevKeys, superuser: psycopg.Connection[Any]
) -> None:
    """The transaction commits at once; the answer comes after the client's timeout."""
    rest_server.faults.arm("delay_after_commit", seconds=0.5)
    impatient = create_client(
        rest_server.url, dev_keys.service_key, ClientOptions(postgrest_client_timeout=httpx.Timeout(0.2))
    )
    with pytest.raises(httpx.ReadTimeout):
        impatient.rpc("exec_sql", {"sql": "create table public.slow_answer(x int)"}).execute()
    assert relation_exists(superuser, "public.slow_answer")


def test_drop_after_commit_of_a_failed_call_loses_the_error_too(
    rest_server: LocalRestServer, service_client: Client, superuser: psycopg.Connection[Any]
) -> None:
    """A rolled-back call under drop_after_commit: no response and no table."""
    rest_server.faults.arm("drop_after_commit")
    with pytest.raises(httpx.TransportError):
        service_client.rpc("exec_sql", {"sql": "create table public.rolled_back(x int); select 1/0"}).execute()
    assert not relation_exists(superuser, "public.rolled_back")
    with pytest.raises(APIError):
        service_client.rpc("exec_sql", {"sql": "select 1/0"}).execute()


def test_arm_refuses_nonsense() -> None:
    """Unknown kinds, zero times and delays without seconds are programming errors."""
    from service.localstack.rest import Faults

    faults = Faults()
    with pytest.raises(ValueError):
        faults.arm("explode")
    with pytest.raises(ValueError):
        faults.arm("drop_before", times=0)
    with pytest.raises(ValueError):
        faults.arm("delay_after_commit")
