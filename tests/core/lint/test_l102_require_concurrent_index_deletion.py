"""L102 require-concurrent-index-deletion."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "drop index i;",
    "DROP INDEX IF EXISTS public.idx_a;",
    "drop index i, j cascade;",
    "create index i on t (a);\ndrop index i;",  # built in this file, but on an existing table
])
def test_fires_on_a_drop_index_without_concurrently(sql: str) -> None:
    assert len(hits(sql, "L102")) == 1


@pytest.mark.parametrize("sql", [
    "-- Transaction: none\ndrop index concurrently i;",
    "-- Transaction: none\ndrop index concurrently if exists s.i;",
    "create table t (a int);\ncreate index i on t (a);\ndrop index i;",  # an index of a new table
    "drop table t;",
])
def test_does_not_fire_on_concurrent_drops_or_indexes_of_new_tables(sql: str) -> None:
    assert hits(sql, "L102") == []


def test_points_at_the_statement_and_rewrites_concurrently_in_a_non_transactional_file() -> None:
    (finding,) = lint("select 1;\n  drop index if exists idx_a;", only="L102")
    assert (finding.line, finding.column, finding.severity) == (2, 3, "warning")
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "DROP INDEX CONCURRENTLY IF EXISTS idx_a;"
    )


def test_several_indexes_or_cascade_become_one_file_each() -> None:
    (finding,) = lint("drop index s.a, b cascade;", only="L102")
    assert finding.rewrite == (
        "-- CONCURRENTLY does not CASCADE: drop what depends on the index first\n"
        "-- in a migration file of its own, marked:\n-- Transaction: none\nDROP INDEX CONCURRENTLY s.a;\n\n"
        "-- in a migration file of its own, marked:\n-- Transaction: none\nDROP INDEX CONCURRENTLY b;"
    )
