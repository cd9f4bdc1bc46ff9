"""S511 no-primary-key."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint
from tests.core.lint.supabase_examples import GUIDE_NEW_TABLE


@pytest.mark.parametrize("sql", [
    "create table t (a bigint);",
    "create table t (a bigint unique not null);",
    "create table private.t (a bigint);",
    "create table user_data_backup as select * from user_data;",  # the guide's backup table
    "create table t (a bigint);\nalter table other add primary key (a);",
])
def test_fires_on_new_tables_without_a_primary_key(sql: str) -> None:
    assert len(hits(sql, "S511")) == 1


@pytest.mark.parametrize("sql", [
    GUIDE_NEW_TABLE,
    "create table t (id bigint generated always as identity primary key);",
    "create table t (a bigint, b bigint, constraint t_pk primary key (a, b));",
    "create table t (a bigint);\nalter table t add constraint t_pk primary key (a);",
    "create table t (a bigint);\nalter table t add column id bigint generated always as identity primary key;",
    "create table p1 partition of p for values in (1);",  # takes the parent's key
    "create table c (like p including all);",
    "create temp table t (a bigint);",
    "create materialized view mv as select 1;",
])
def test_does_not_fire_on_tables_with_a_primary_key(sql: str) -> None:
    assert hits(sql, "S511") == []


def test_points_at_the_table() -> None:
    (finding,) = lint("select 1;\ncreate table audit_log (at timestamptz, event text);", only="S511")
    assert (finding.line, finding.column, finding.severity) == (2, 14, "info")
    assert finding.message.startswith("table public.audit_log has no primary key")
    assert finding.rewrite is None
