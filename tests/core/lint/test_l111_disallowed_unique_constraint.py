"""L111 disallowed-unique-constraint."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table orders add constraint orders_code_key unique (code);",
    "alter table orders add unique (code, region);",
    "alter table orders add column code text unique;",
    "alter table orders add unique nulls not distinct (code) include (region);",
])
def test_fires_on_a_unique_constraint_that_builds_its_index(sql: str) -> None:
    assert len(hits(sql, "L111")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table orders add constraint orders_code_key unique using index orders_code_key;", ()),
    ("create table orders (code text unique);", ()),
    ("create table orders (code text);\nalter table orders add unique (code);", ()),
    ("alter table orders add unique (code);", ("public.orders",)),
    ("alter table orders add primary key (id);", ()),  # L112's business
])
def test_does_not_fire_on_using_index_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L111", new_tables=new_tables) == []


def test_points_at_the_constraint_and_builds_the_index_concurrently_first() -> None:
    (finding,) = lint("select 1;\nalter table orders add constraint uq unique (code) deferrable;", only="L111")
    assert (finding.line, finding.column, finding.severity) == (2, 24, "error")
    assert finding.rewrite == "\n".join([
        "-- in a migration file of its own, marked:",
        "-- Transaction: none",
        "CREATE UNIQUE INDEX CONCURRENTLY uq ON orders (code);",
        "-- then, in the next migration: attaching the built index is instant",
        "ALTER TABLE orders ADD CONSTRAINT uq UNIQUE USING INDEX uq DEFERRABLE;",
    ])


def test_a_unique_column_is_added_alone_first() -> None:
    (finding,) = lint("alter table s.orders add column code text not null default '' unique;", only="L111")
    assert finding.rewrite == "\n".join([
        "-- first the column alone, in this migration:",
        "ALTER TABLE s.orders ADD COLUMN code text NOT NULL DEFAULT '';",
        "-- in a migration file of its own, marked:",
        "-- Transaction: none",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON s.orders (code);",
        "-- then, in the next migration: attaching the built index is instant",
        "ALTER TABLE s.orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_key;",
    ])
