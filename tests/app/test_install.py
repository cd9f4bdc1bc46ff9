"""`omnia-migrate install`: prepares a project once, changes nothing the second time, upgrades a seed table."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from service.app.cli import main
from service.localstack.embedded import EmbeddedPostgres
from service.supabase_sql import service_sql

CATALOG_STATE = """
select 'relation', c.relname, coalesce(c.relacl::text, ''), c.relrowsecurity::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = 'public'
union all
select 'function', p.oid::regprocedure::text, coalesce(p.proacl::text, ''), p.prosecdef::text || ' ' || array_to_string(p.proconfig, ',')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'public'
union all
select 'column', table_name || '.' || column_name, data_type, coalesce(column_default, '')
  from information_schema.columns where table_schema = 'public'
order by 1, 2
"""


def _grantees(acl: str) -> set[str]:
    """Role names of an ACL such as `{postgres=X/postgres,=X/postgres}`; PUBLIC is the empty name."""
    return {item.split("=", 1)[0] or "PUBLIC" for item in acl.strip("{}").split(",")}


def _catalog(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as connection:
        return connection.execute(CATALOG_STATE).fetchall()


def test_install_prepares_the_project_and_a_second_run_changes_nothing(
    embedded_postgres: EmbeddedPostgres, plain_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = embedded_postgres.url(plain_database)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("SUPABASE_URL", raising=False)

    assert main(["install"]) == 0
    first = _catalog(url)
    assert main(["install"]) == 0

    assert _catalog(url) == first
    functions = {row[1]: row for row in first if row[0] == "function"}
    assert set(functions) == {
        "exec_sql(text)", "omnia_query(text)",
        "omnia_lock_acquire(text,text,integer)", "omnia_lock_release(text,text)",
    }
    for name, (_, _, acl, definer) in functions.items():
        assert definer.startswith("true search_path="), name
        assert _grantees(acl) == {"postgres", "service_role"}, (name, acl)  # no PUBLIC, anon, authenticated
    relations = {row[1]: row for row in first if row[0] == "relation"}
    assert relations["schema_migrations"][3] == "true"
    assert relations["omnia_locks"][3] == "true"


def test_install_upgrades_a_seed_shaped_history_table_keeping_its_rows(
    embedded_postgres: EmbeddedPostgres, plain_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = embedded_postgres.url(plain_database)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "create table schema_migrations (version varchar(255) primary key, description text,"
            " applied_at timestamptz default now())"
        )
        connection.execute(
            "insert into schema_migrations (version, description, applied_at) values"
            " ('20250101_001', 'seed one', '2025-01-01T00:00:00Z'), ('20250102_001', 'seed two', '2025-01-02T00:00:00Z')"
        )
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["install"]) == 0

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "select version, description, applied_at::date::text, checksum, execution_ms, applied_by, phase"
            " from schema_migrations order by version"
        ).fetchall()
        version_type = connection.execute(
            "select data_type from information_schema.columns"
            " where table_name = 'schema_migrations' and column_name = 'version'"
        ).fetchone()
    assert rows == [
        ("20250101_001", "seed one", "2025-01-01", None, None, None, None),
        ("20250102_001", "seed two", "2025-01-02", None, None, None, None),
    ]
    assert version_type == ("text",)


def test_install_print_writes_the_sql_for_the_editor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "--print"]) == 0
    assert capsys.readouterr().out == service_sql()


def test_lock_lease_is_exclusive_until_released_or_expired(
    embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> None:
    with embedded_postgres.connect(fresh_database) as connection:
        def acquire(holder: str, ttl: int) -> bool:
            row = connection.execute("select omnia_lock_acquire('migrate', %s, %s)", (holder, ttl)).fetchone()
            assert row is not None
            return bool(row[0])

        assert acquire("runner-a", 60) is True
        assert acquire("runner-b", 60) is False
        assert acquire("runner-a", 60) is True  # the holder renews its own lease
        assert connection.execute("select omnia_lock_release('migrate', 'runner-b')").fetchone() == (False,)
        assert connection.execute("select omnia_lock_release('migrate', 'runner-a')").fetchone() == (True,)
        assert acquire("runner-b", 60) is True
        connection.execute("update omnia_locks set expires_at = now() - interval '1 second'")  # runner-b crashed
        assert acquire("runner-c", 60) is True
        assert connection.execute("select holder from omnia_locks").fetchall() == [("runner-c",)]


def test_omnia_query_returns_rows_as_json(
    embedded_postgres: EmbeddedPostgres, fresh_database: str
) -> None:
    with embedded_postgres.connect(fresh_database) as connection:
        rows = connection.execute(
            "select omnia_query('select 1 as a, ''x'' as b union all select 2, null')"
        ).fetchone()
        assert rows == ([{"a": 1, "b": "x"}, {"a": 2, "b": None}],)
        assert connection.execute("select omnia_query('select 1 where false')").fetchone() == ([],)
