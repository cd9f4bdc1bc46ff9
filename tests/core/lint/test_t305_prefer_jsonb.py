"""T305 prefer-jsonb."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create table t (doc json);",
    "create table t (docs json[]);",
    "alter table t add column doc json default '{}';",
    "alter table t alter column doc type json;",
])
def test_fires_on_json_columns(sql: str) -> None:
    assert len(hits(sql, "T305")) == 1


@pytest.mark.parametrize("sql", [
    "create table t (doc jsonb);",
    "alter table t alter column doc type jsonb using doc::jsonb;",
    "select '{}'::json;",
])
def test_does_not_fire_on_jsonb_or_expressions(sql: str) -> None:
    assert hits(sql, "T305") == []


def test_points_at_the_type_and_rewrites_to_jsonb() -> None:
    (finding,) = lint("select 1;\nalter table events add column payload json;", only="T305")
    assert (finding.line, finding.column, finding.severity) == (2, 39, "warning")
    assert finding.rewrite == "ALTER TABLE events ADD COLUMN payload jsonb"
