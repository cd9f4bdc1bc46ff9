"""Shared fixtures: one embedded PostgreSQL per test session, a fresh Supabase-like database per test.

`DATABASE_URL` is not used here: the embedded server is always there, so no
test is skipped for want of a database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.localstack.embedded import EmbeddedPostgres
from service.localstack.keys import DevKeys, generate_keys

_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def embedded_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """The session's PostgreSQL (non-durable: fsync off), with the Supabase-like template prepared."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("omnia-state"), durable=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_database(embedded_postgres: EmbeddedPostgres) -> Iterator[str]:
    """The name of a new database copied from the prepared template; dropped after the test."""
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    embedded_postgres.create_database(name)
    yield name
    embedded_postgres.drop_database(name)


@pytest.fixture(scope="session")
def dev_keys() -> DevKeys:
    """A JWT secret and API keys for the local endpoint."""
    return generate_keys()


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """An empty state directory for commands that keep files under `.omnia/`."""
    return tmp_path / ".omnia"


@pytest.fixture
def plain_database(embedded_postgres: EmbeddedPostgres) -> Iterator[str]:
    """The name of a new, empty database (from template0): no history table, no `auth` schema."""
    from psycopg import sql

    name = f"plain_{os.getpid()}_{next(_database_numbers)}"
    with embedded_postgres.connect() as connection:
        connection.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
    yield name
    embedded_postgres.drop_database(name)
