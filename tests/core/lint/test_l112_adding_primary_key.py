"""L112 adding-primary-key."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table t add primary key (id);",
    "alter table t add constraint t_pkey primary key (tenant, id);",
    "alter table t add column id bigserial primary key;",
])
def test_fires_on_a_primary_key_that_builds_its_index(sql: str) -> None:
    assert len(hits(sql, "L112")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table t add constraint t_pkey primary key using index t_pkey;", ()),
    ("create table t (id bigint primary key);", ()),
    ("create table t (id bigint);\nalter table t add primary key (id);", ()),
    ("alter table t add primary key (id);", ("public.t",)),
    ("alter table t add unique (id);", ()),  # L111's business
])
def test_does_not_fire_on_using_index_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L112", new_tables=new_tables) == []


def test_points_at_the_constraint_and_builds_the_index_concurrently_first() -> None:
    (finding,) = lint("select 1;\nalter table t add primary key (id);", only="L112")
    assert (finding.line, finding.column, finding.severity) == (2, 19, "error")
    assert finding.rewrite == "\n".join([
        "-- in a migration file of its own, marked:",
        "-- Transaction: none",
        "CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON t (id);",
        "-- then, in the next migration: attaching the built index is instant",
        "-- (the key columns must already be NOT NULL, or this scans the table: see L107)",
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;",
    ])


def test_a_key_column_is_filled_and_made_not_null_first() -> None:
    (finding,) = lint("alter table t add column id bigserial primary key;", only="L112")
    assert finding.rewrite is not None
    assert finding.rewrite.startswith("-- first add id without the key, fill it and make it NOT NULL")
    assert finding.rewrite.endswith("ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;")
