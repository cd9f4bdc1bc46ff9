"""L103 require-concurrent-reindex."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "reindex index i;",
    "REINDEX TABLE public.t;",
    "reindex (verbose) schema s;",
    "reindex database;",
    "reindex system;",
    "reindex (concurrently false) index i;",
])
def test_fires_on_a_reindex_without_concurrently(sql: str) -> None:
    assert len(hits(sql, "L103")) == 1


@pytest.mark.parametrize("sql", [
    "-- Transaction: none\nreindex index concurrently i;",
    "-- Transaction: none\nreindex (concurrently) table t;",
    "-- Transaction: none\nreindex (verbose, concurrently true) table t;",
    "create table t (a int);\nreindex table t;",
])
def test_does_not_fire_on_concurrent_reindex_or_new_tables(sql: str) -> None:
    assert hits(sql, "L103") == []


def test_points_at_the_object_and_adds_concurrently() -> None:
    (finding,) = lint("select 1;\nreindex (verbose) table accounts;", only="L103")
    assert (finding.line, finding.column, finding.severity) == (2, 25, "warning")
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "REINDEX (VERBOSE, CONCURRENTLY) TABLE accounts;"
    )


def test_gives_no_rewrite_where_concurrently_does_not_exist() -> None:
    (old,) = lint("reindex index i;", only="L103", pg_version=11)
    (system,) = lint("reindex system;", only="L103")
    assert old.rewrite is None and "PostgreSQL 11 has no REINDEX CONCURRENTLY" in old.message
    assert system.rewrite is None and "no CONCURRENTLY form" in system.message
