"""`LocalRestServer` and `create_app` themselves: binding, start-up failures, clean stops, lazy imports."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import httpx
import pytest

from service.errors import LocalStackError
from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys
from service.localstack.rest import LocalRestServer, RestConfig, create_app
from tests.localstack.rest_support import api_headers, rest_config


def authenticator_sessions(embedded_postgres: EmbeddedPostgres, database: str) -> int:
    """How many `authenticator` sessions are connected to `database`."""
    with embedded_postgres.connect() as connection:
        row = connection.execute(
            "select count(*) from pg_stat_activity where usename = 'authenticator' and datname = %s", (database,)
        ).fetchone()
    return int(row[0]) if row else 0


def test_busy_port_fails_at_once(embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys) -> None:
    """The socket is bound in the caller's thread: a taken port raises before anything starts."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        server = LocalRestServer(rest_config(embedded_postgres, fresh_database, dev_keys), port=port)
        started = time.monotonic()
        with pytest.raises(LocalStackError, match=f"cannot listen on 127.0.0.1:{port}"):
            server.start()
        assert time.monotonic() - started < 1.0
    assert authenticator_sessions(embedded_postgres, fresh_database) == 0


def test_unreachable_database_fails_start_with_the_reason(
    embedded_postgres: EmbeddedPostgres, dev_keys: DevKeys
) -> None:
    """A database that does not exist: `start()` raises promptly, naming the cause."""
    config = RestConfig(
        database_url=embedded_postgres.url("no_such_database", "authenticator"),
        jwt_secret=dev_keys.jwt_secret,
        api_keys=dev_keys.roles_by_key,
    )
    started = time.monotonic()
    with pytest.raises(LocalStackError, match='database "no_such_database" does not exist'):
        LocalRestServer(config).start()
    assert time.monotonic() - started < 5.0


def test_stop_closes_the_pool_and_the_listener(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys
) -> None:
    """While running: pool + LISTEN sessions; after `stop()`: none, and the port is free again."""
    with LocalRestServer(rest_config(embedded_postgres, fresh_database, dev_keys)) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.schema_generation == 1
        response = httpx.get(f"{server.url}/rest/v1/schema_migrations", headers=api_headers(dev_keys.service_key))
        assert response.status_code == 200
        assert authenticator_sessions(embedded_postgres, fresh_database) >= 2
        port = server.port
    assert authenticator_sessions(embedded_postgres, fresh_database) == 0
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_wait_for_schema_reload_times_out_without_a_reload(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys
) -> None:
    """No NOTIFY, no reload: the wait raises TimeoutError."""
    with (
        LocalRestServer(rest_config(embedded_postgres, fresh_database, dev_keys)) as server,
        pytest.raises(TimeoutError, match="did not reload"),
    ):
        server.wait_for_schema_reload(server.schema_generation, timeout_s=0.05)


def test_create_app_serves_without_the_server_wrapper(
    embedded_postgres: EmbeddedPostgres, fresh_database: str, dev_keys: DevKeys
) -> None:
    """The factory alone (its lifespan run by hand, httpx's ASGI transport) answers like the server does."""
    app = create_app(rest_config(embedded_postgres, fresh_database, dev_keys))
    headers = api_headers(dev_keys.service_key)

    async def exercise() -> tuple[httpx.Response, httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
                call = await client.post("/rest/v1/rpc/exec_sql", json={"sql": "select 1"}, headers=headers)
                read = await client.get("/rest/v1/schema_migrations?select=count", headers=headers)
                return call, read

    call, read = asyncio.run(exercise())
    assert (call.status_code, call.content) == (204, b"")
    assert (read.status_code, read.json()) == (200, [{"count": 0}])
    assert authenticator_sessions(embedded_postgres, fresh_database) == 0


def test_config_hides_secrets_and_refuses_short_jwt_secrets(dev_keys: DevKeys) -> None:
    """`repr` shows no secret; PostgREST v13 needs a JWT secret of 32+ characters."""
    config = RestConfig(
        database_url="postgresql://authenticator:pw@db/postgres",
        jwt_secret=dev_keys.jwt_secret,
        api_keys=dev_keys.roles_by_key,
    )
    shown = repr(config)
    assert dev_keys.jwt_secret not in shown
    assert dev_keys.service_key not in shown
    assert ":pw@" not in shown
    with pytest.raises(ValueError, match="at least 32"):
        RestConfig(database_url="postgresql://x", jwt_secret="short", api_keys={})


def test_importing_the_package_loads_no_server_dependencies() -> None:
    """`service.localstack.rest` is cheap to import (the CLI's --help imports it indirectly)."""
    probe = (
        "import sys, service.localstack.rest as rest; "
        "rest.RestConfig; rest.Faults; "
        "heavy = [m for m in ('starlette', 'uvicorn', 'psycopg', 'psycopg_pool', 'jwt') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
