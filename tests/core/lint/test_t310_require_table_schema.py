"""T310 require-table-schema (opt-in)."""

from __future__ import annotations

import pytest

from service.core.lint import LintConfig, Severity, lint_file
from service.core.lint.rules.t310_require_table_schema import RULE
from tests.core.lint.lint_support import hits


def _selected(sql: str) -> list[tuple[int, int, str]]:
    result = lint_file("20261124_001_x.sql", sql, config=LintConfig(select=("T310",)))
    return [(f.line, f.column, f.severity.value) for f in result.findings]


def test_is_off_unless_selected() -> None:
    assert not RULE.enabled_by_default and RULE.severity is Severity.INFO
    assert hits("create table t (id bigint primary key);", "T310") == []


@pytest.mark.parametrize("sql", [
    "create table t (id bigint);",
    "create table t as select 1;",
    "alter table t add column a text;",
    "drop table t;",
    "create index i on t (a);",
    "create policy p on t using (true);",
])
def test_fires_on_unqualified_table_names_when_selected(sql: str) -> None:
    assert len(_selected(sql)) == 1


@pytest.mark.parametrize("sql", [
    "create table public.t (id bigint);",
    "create temp table t (id bigint);",
    "alter table app.t add column a text;",
    "drop table public.t, app.u;",
    "create index i on public.t (a);",
    "alter view v rename to w;",
    "select * from t;",
])
def test_does_not_fire_on_qualified_or_temporary_tables(sql: str) -> None:
    assert _selected(sql) == []


def test_points_at_the_table_name() -> None:
    assert _selected("select 1;\nalter table accounts add column a text;") == [(2, 13, "info")]
