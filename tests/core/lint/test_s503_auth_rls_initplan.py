"""S503 auth-rls-initplan."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint
from tests.core.lint.supabase_examples import GUIDE_NEW_TABLE


@pytest.mark.parametrize("sql", [
    "create policy p on t using (auth.uid() = user_id);",
    "create policy p on t for insert with check (user_id = auth.uid());",
    "create policy p on t using (auth.jwt() ->> 'role' = 'admin');",
    "create policy p on t using (auth.role() = 'authenticated');",
    "create policy p on t using (auth.email() = email);",
    "create policy p on t using (current_setting('request.jwt.claims', true)::jsonb ->> 'sub' = owner);",
    "create policy p on t using (exists (select 1 from members m where m.team = team and m.uid = auth.uid()));",
    "create policy p on t using ((select auth.uid() = user_id));",  # reads a column: correlated, per row
    "alter policy p on t using (auth.uid() = user_id);",
])
def test_fires_on_per_row_auth_calls(sql: str) -> None:
    assert len(hits(sql, "S503")) == 1


@pytest.mark.parametrize("sql", [
    GUIDE_NEW_TABLE,
    "create policy p on t using ((select auth.uid()) = user_id);",
    "create policy p on t using ((select auth.jwt()) ->> 'role' = 'admin');",
    "create policy p on t using ((select auth.jwt() ->> 'role') = 'admin');",
    "create policy p on t using ((select current_setting('app.tenant')) = tenant);",
    "create policy p on t using (exists (select 1 from members m where m.uid = (select auth.uid())));",
    "create policy p on t using (owner = my_schema.uid());",
    "select auth.uid();",  # not a policy
])
def test_does_not_fire_on_wrapped_calls(sql: str) -> None:
    assert hits(sql, "S503") == []


def test_points_at_each_call_and_wraps_them_all_in_the_rewrite() -> None:
    findings = lint("select 1;\ncreate policy own on todos\n  using (auth.uid() = user_id)\n"
                    "  with check (auth.uid() = user_id);", only="S503")
    assert [(f.line, f.column, f.severity) for f in findings] == [(3, 10, "warning"), (4, 15, "warning")]
    assert findings[0].message == ("auth.uid() in policy own is evaluated for every row: "
                                   "(select auth.uid()) is evaluated once per query")
    assert findings[0].rewrite == findings[1].rewrite == (
        "CREATE POLICY own ON todos AS PERMISSIVE FOR all TO PUBLIC "
        "USING ((SELECT auth.uid()) = user_id) WITH CHECK ((SELECT auth.uid()) = user_id)"
    )
