"""S501 rls-disabled-in-public."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint
from tests.core.lint.supabase_examples import GUIDE_NEW_TABLE


@pytest.mark.parametrize("sql", [
    "create table t (id bigint primary key);",
    "create table public.t (id bigint primary key);",
    "create table t (id bigint primary key);\nalter table t enable row level security;\n"
    "alter table t disable row level security;",
    "create table t (id bigint primary key);\nalter table other enable row level security;",
    "create table t as select 1 as id;",
    "create table p1 partition of p for values in (1);",
    "create table t (id bigint primary key);\nalter table t enable row level security;\nalter table t rename to u;\n"
    "alter table u disable row level security;",
])
def test_fires_on_an_exposed_table_left_without_rls(sql: str) -> None:
    assert len(hits(sql, "S501")) == 1


@pytest.mark.parametrize("sql", [
    GUIDE_NEW_TABLE,
    "alter table public.t enable row level security;\nselect 1;",
    "create table t (id bigint primary key);\nalter table public.t enable row level security;",
    "create table private.t (id bigint primary key);",
    'create table "Public".t (id bigint primary key);',
    "create temp table t (id bigint);",
    "create materialized view mv as select 1;",
    "create table t (id bigint primary key);\ndrop table t;",
    "create table t (id bigint primary key);\nalter table t rename to u;\nalter table u enable row level security;",
    "alter table old add column a text;",  # not created here: the file cannot tell
])
def test_does_not_fire_when_rls_is_enabled_anywhere_in_the_file_or_the_table_is_not_exposed(sql: str) -> None:
    assert hits(sql, "S501") == []


def test_points_at_the_created_table_and_rewrites_with_enable_rls() -> None:
    (finding,) = lint("select 1;\ncreate table profiles (id uuid primary key);", only="S501")
    assert (finding.line, finding.column, finding.severity) == (2, 14, "error")
    assert finding.message.startswith("table public.profiles is served by the Data API without row level security")
    assert finding.rewrite == (
        "ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;\n"
        "-- then a policy for each role and command that needs it, e.g. USING ((SELECT auth.uid()) = user_id)"
    )
