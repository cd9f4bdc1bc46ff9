"""The embedded PostgreSQL looks like a Supabase project and hands out fresh databases cheaply."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from service.errors import StateDirUnwritable
from service.localstack.embedded import EmbeddedPostgres, ensure_writable_dir


def test_fresh_database_has_supabase_roles_auth_schema_and_service_functions(
    embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> None:
    with embedded_postgres.connect(fresh_database) as connection:
        roles = dict(
            connection.execute(
                "select rolname, rolbypassrls from pg_roles"
                " where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')"
            ).fetchall()
        )
        functions = {
            row[0]
            for row in connection.execute(
                "select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                " where n.nspname in ('public', 'auth')"
            )
        }
        history_columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns"
                " where table_schema = 'public' and table_name = 'schema_migrations' order by ordinal_position"
            )
        ]
    assert roles == {"anon": False, "authenticated": False, "service_role": True, "authenticator": False}
    assert {
        "exec_sql(text)",
        "omnia_query(text)",
        "omnia_lock_acquire(text,text,integer)",
        "omnia_lock_release(text,text)",
        "auth.uid()",
        "auth.role()",
        "auth.jwt()",
    } <= functions
    assert history_columns == [
        "version", "description", "applied_at", "checksum", "execution_ms", "applied_by", "phase"
    ]


def test_fresh_databases_are_isolated(embedded_postgres: EmbeddedPostgres, fresh_database: str) -> None:
    embedded_postgres.create_database("isolation_probe")
    try:
        with embedded_postgres.connect(fresh_database) as connection:
            connection.execute("create table only_here (x int)")
        with embedded_postgres.connect("isolation_probe") as connection:
            found = connection.execute("select to_regclass('public.only_here')").fetchone()
        assert found == (None,)
    finally:
        embedded_postgres.drop_database("isolation_probe")


def test_data_persists_when_the_server_is_started_again(tmp_path: Path) -> None:
    state = tmp_path / ".omnia"
    with EmbeddedPostgres(state, durable=False) as first:
        with first.connect() as connection:
            connection.execute("create table kept (x int)")
            connection.execute("insert into kept values (7)")
    with EmbeddedPostgres(state, durable=False) as second:
        with second.connect() as connection:
            rows = connection.execute("select x from kept").fetchall()
    assert rows == [(7,)]


def test_state_dir_that_cannot_be_created_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StateDirUnwritable) as raised:
        ensure_writable_dir(blocker / ".omnia")
    assert raised.value.exit_code == 2
    assert str(blocker / ".omnia") in raised.value.message
    assert "OMNIA_HOME" in raised.value.message


def test_authenticator_can_log_in_but_anon_cannot(
    embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> None:
    with psycopg.connect(embedded_postgres.url(fresh_database, "authenticator")) as connection:
        assert connection.execute("select current_user").fetchone() == ("authenticator",)
    with pytest.raises(psycopg.OperationalError, match='role "anon" is not permitted to log in'):
        psycopg.connect(embedded_postgres.url(fresh_database, "anon"))
