"""S505 rls-policy-always-true."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create policy p on t for insert with check (true);",
    "create policy p on t for insert to anon with check (true);",
    "create policy p on t for update to authenticated using (true);",
    "create policy p on t for delete to public using (1 = 1);",
    "create policy p on t for all to anon, service_role using ('true'::boolean);",
    "create policy p on t for update to authenticated using ((select auth.uid()) = user_id) with check (true);",
    "create policy p on t for delete to authenticated using ((select auth.uid()) = user_id);\n"
    "alter policy p on t using (true);",
])
def test_fires_on_always_true_write_policies_for_api_roles(sql: str) -> None:
    assert len(hits(sql, "S505")) == 1


@pytest.mark.parametrize("sql", [
    "create policy p on t for select using (true);",  # public reads are often intended
    "create policy p on t for select to anon using (true);",
    "create policy p on t as restrictive for update using (true);",
    "create policy p on t for update to service_role using (true);",
    "create policy p on t for update to authenticated using (1 = 2);",
    "create policy p on t for insert to authenticated with check ((select auth.uid()) = user_id);",
    "alter policy p on t using (true);",  # created elsewhere: its command is unknown here
    "create policy p on t for select using (true);\nalter policy p on t using (true);",
])
def test_does_not_fire_on_reads_restrictive_or_real_predicates(sql: str) -> None:
    assert hits(sql, "S505") == []


def test_points_at_the_true_constant() -> None:
    (finding,) = lint("create policy anyone_writes on notes\n  for insert to anon\n  with check (true);", only="S505")
    assert (finding.line, finding.column, finding.severity) == (3, 15, "warning")
    assert finding.message == ("policy anyone_writes on public.notes lets anon insert any row: "
                               "its WITH CHECK is always true")
