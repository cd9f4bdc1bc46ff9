"""S502 policy-exists-rls-disabled."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint
from tests.core.lint.supabase_examples import GUIDE_NEW_TABLE

TABLE = "create table private.t (id bigint primary key, user_id uuid);\n"
POLICY = "create policy own on private.t using ((select auth.uid()) = user_id);\n"


@pytest.mark.parametrize("sql", [
    TABLE + POLICY,
    "create table t (id bigint primary key);\ncreate policy p on t for select using (true);",
    TABLE + "alter table private.t enable row level security;\n" + POLICY
    + "alter table private.t disable row level security;",
])
def test_fires_on_a_policy_of_a_new_table_without_rls(sql: str) -> None:
    assert len(hits(sql, "S502")) == 1


@pytest.mark.parametrize("sql", [
    GUIDE_NEW_TABLE,
    TABLE + POLICY + "alter table private.t enable row level security;",  # enabled after the policy
    POLICY,  # an older table: RLS may be on already
    "create table t (id bigint primary key);\ncreate policy p on other using (true);",
])
def test_does_not_fire_with_rls_enabled_in_the_file_or_on_older_tables(sql: str) -> None:
    assert hits(sql, "S502") == []


def test_points_at_the_policy_table_and_rewrites_with_enable_rls() -> None:
    (finding,) = lint(TABLE + POLICY, only="S502")
    assert (finding.line, finding.column, finding.severity) == (2, 22, "error")
    assert finding.message.startswith("policy own on private.t has no effect")
    assert finding.rewrite == "ALTER TABLE private.t ENABLE ROW LEVEL SECURITY;"
