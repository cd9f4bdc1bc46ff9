"""L101 require-concurrent-index."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create index i on t (a);",
    "CREATE UNIQUE INDEX i ON public.t USING btree (a) WHERE a > 0;",
    "create index if not exists i on t (lower(name));",
])
def test_fires_on_an_index_built_without_concurrently_on_an_existing_table(sql: str) -> None:
    assert len(hits(sql, "L101")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("-- Transaction: none\ncreate index concurrently i on t (a);", ()),
    ("create table t (a int);\ncreate index i on t (a);", ()),
    ("create index i on t (a);", ("public.t",)),  # created by an earlier pending migration
])
def test_does_not_fire_on_concurrent_builds_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L101", new_tables=new_tables) == []


def test_points_at_the_table_and_rewrites_concurrently_in_a_non_transactional_file() -> None:
    (finding,) = lint("select 1;\n  create index idx_a on accounts (a);", only="L101")
    assert (finding.line, finding.column, finding.severity) == (2, 25, "error")
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "CREATE INDEX CONCURRENTLY idx_a ON accounts (a);"
    )
