"""T309 ban-duplicate-column-assignments."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "update t set a = 1, a = 2;",
    "update t set (a, b) = (1, 2), a = 3;",
    "update t set a = row(1, 2), a.x = 1;",
    "insert into t (a, a) values (1, 2);",
    "insert into t (a) values (1) on conflict (id) do update set b = 1, b = 2;",
    "with u as (update t set a = 1, a = 2 returning *) select * from u;",
    "merge into t using s on t.id = s.id when matched then update set a = 1, a = 2;",
    "create table t (a bigint, a text);",
    "create view v (a, a) as select 1, 2;",
    "create view v as select a, t.a from t;",
    "create table t2 (a, a) as select 1, 2;",
])
def test_fires_on_a_column_assigned_or_defined_twice(sql: str) -> None:
    assert len(hits(sql, "T309")) == 1


@pytest.mark.parametrize("sql", [
    "update t set a = 1, b = 2;",
    "update t set a[1] = 1, a[2] = 2;",  # element assignments
    "update t set a.x = 1, a.y = 2;",
    'update t set a = 1, "A" = 2;',  # quoted: another column
    "insert into t (a, b) values (1, 2) on conflict (id) do update set a = excluded.a;",
    "create view v as select a, b as a2 from t;",
])
def test_does_not_fire_on_distinct_or_partial_assignments(sql: str) -> None:
    assert hits(sql, "T309") == []


def test_points_at_the_second_assignment() -> None:
    (finding,) = lint("update accounts\nset balance = 0,\n    balance = 1;", only="T309")
    assert (finding.line, finding.column, finding.severity) == (3, 5, "error")
    assert finding.message == "column balance is assigned more than once in this statement: PostgreSQL rejects it"
