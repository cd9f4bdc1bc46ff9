"""T303 prefer-timestamptz."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create table t (at timestamp);",
    "create table t (at timestamp without time zone);",
    "create table t (at timestamp(3));",
    "create table t (at timestamp[]);",
    "alter table t add column at timestamp default now();",
    "alter table t alter column at type timestamp;",
])
def test_fires_on_timestamp_without_time_zone(sql: str) -> None:
    assert len(hits(sql, "T303")) == 1


@pytest.mark.parametrize("sql", [
    "create table t (a timestamptz, b timestamp with time zone, c date, d time, e interval);",
    "alter table t alter column at type timestamptz;",
    "select now()::timestamp;",
    "create table t (a myschema.timestamp);",
])
def test_does_not_fire_on_timestamptz_or_other_types(sql: str) -> None:
    assert hits(sql, "T303") == []


def test_points_at_the_type_and_rewrites_to_timestamptz_keeping_precision() -> None:
    (finding,) = lint("create table events (id bigint, at timestamp(3) not null);", only="T303")
    assert (finding.line, finding.column, finding.severity) == (1, 36, "warning")
    assert finding.rewrite == "CREATE TABLE events (id bigint, at timestamptz(3) NOT NULL)"


def test_rewrites_a_retyped_column() -> None:
    (finding,) = lint("alter table events alter column at type timestamp;", only="T303")
    assert finding.rewrite == "ALTER TABLE events ALTER COLUMN at TYPE timestamptz"
