"""S504 rls-references-user-metadata."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create policy p on t using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');",
    "create policy p on t using (auth.jwt() #>> '{user_metadata,role}' = 'admin');",
    "create policy p on t for insert with check ((select auth.jwt() -> 'user_metadata' ->> 'org') = org::text);",
    "create policy p on t using (exists (select 1 from auth.users u where u.id = (select auth.uid()) "
    "and u.raw_user_meta_data ->> 'admin' = 'true'));",
    "alter policy p on t using ((select auth.jwt()) -> 'user_metadata' ->> 'team' = team);",
])
def test_fires_on_policies_that_trust_user_metadata(sql: str) -> None:
    assert len(hits(sql, "S504")) == 1


@pytest.mark.parametrize("sql", [
    "create policy p on t using ((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');",
    "create policy p on t using ((select auth.jwt()) #>> '{app_metadata,role}' = 'admin');",
    "select raw_user_meta_data from auth.users;",  # not a policy
    "create policy p on t using (note = 'see user metadata docs');",
])
def test_does_not_fire_on_app_metadata_or_outside_policies(sql: str) -> None:
    assert hits(sql, "S504") == []


def test_points_at_the_user_metadata_key() -> None:
    sql = "create policy admins on t\n  using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');"
    (finding,) = lint(sql, only="S504")
    assert (finding.line, finding.column, finding.severity) == (2, 33, "error")
    assert finding.message.startswith("policy admins trusts user_metadata")
    assert finding.rewrite is None
