"""S512 auth-users-exposed."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create view users_v as select id, email from auth.users;",
    "create view public.v as select p.*, u.email from profiles p join auth.users u on u.id = p.id;",
    "create view v as select * from profiles where id in (select id from auth.users);",
    "create materialized view mv with (fillfactor = 90) as select id from auth.users;",
    "create view v with (security_invoker = false) as select id from auth.users;",
])
def test_fires_on_exposed_views_over_auth_users(sql: str) -> None:
    assert len(hits(sql, "S512")) == 1


@pytest.mark.parametrize("sql", [
    "create view v with (security_invoker = true) as select id from auth.users;",
    "create view v as select id from auth.users;\nalter view v set (security_invoker = on);",
    "create view private.v as select id from auth.users;",
    "create view v as select id from public.users;",
    "create view v as select id from users;",
])
def test_does_not_fire_on_invoker_views_other_schemas_or_other_users_tables(sql: str) -> None:
    assert hits(sql, "S512") == []


def test_before_postgresql_15_every_view_reads_as_its_owner() -> None:
    sql = "create view v with (security_invoker = true) as select id from auth.users;"
    assert hits(sql, "S512", pg_version=14) == [(1, 64)]


def test_points_at_auth_users() -> None:
    (finding,) = lint("create view emails as\n  select id, email from auth.users;", only="S512")
    assert (finding.line, finding.column, finding.severity) == (2, 25, "error")
    assert finding.message.startswith("view public.emails exposes auth.users through the API")
