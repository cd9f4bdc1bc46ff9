"""L109 constraint-missing-not-valid."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table t add constraint positive check (a > 0);",
    "alter table t add check (a > 0);",
    "alter table t add column b int check (b > 0);",  # a column CHECK scans too
])
def test_fires_on_a_check_without_not_valid(sql: str) -> None:
    assert len(hits(sql, "L109")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table t add constraint positive check (a > 0) not valid;", ()),
    ("alter table t validate constraint positive;", ()),
    ("create table t (a int check (a > 0));", ()),
    ("create table t (a int);\nalter table t add check (a > 0);", ()),
    ("alter table t add check (a > 0);", ("public.t",)),
    ("alter table t add constraint fk foreign key (a) references u;", ()),  # L108's business
])
def test_does_not_fire_on_not_valid_checks_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L109", new_tables=new_tables) == []


def test_points_at_the_constraint_and_rewrites_not_valid_then_validate() -> None:
    (finding,) = lint("select 1;\nalter table t add constraint positive check (a > 0);", only="L109")
    assert (finding.line, finding.column, finding.severity) == (2, 19, "error")
    assert finding.rewrite == "\n".join([
        "-- applies to new rows at once: no scan",
        "ALTER TABLE t ADD CONSTRAINT positive CHECK (a > 0) NOT VALID;",
        "-- in a later migration (its own transaction): scans while reads and writes go on",
        "ALTER TABLE t VALIDATE CONSTRAINT positive;",
    ])


def test_unnamed_and_column_checks_get_postgresql_names() -> None:
    (first, second) = lint("alter table t add check (b > a), add column c int check (c > 0);", only="L109")
    assert first.rewrite == second.rewrite == "\n".join([
        "-- applies to new rows at once: no scan",
        ("ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > a) NOT VALID, ADD COLUMN c integer, "
        "ADD CONSTRAINT t_c_check CHECK (c > 0) NOT VALID;"),
        "-- in a later migration (its own transaction): scans while reads and writes go on",
        "ALTER TABLE t VALIDATE CONSTRAINT t_b_check;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_c_check;",
    ])
