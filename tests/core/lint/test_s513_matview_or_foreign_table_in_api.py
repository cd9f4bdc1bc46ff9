"""S513 matview-or-foreign-table-in-api."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

MATVIEW = "create materialized view totals as select 1 as n;\n"
FOREIGN = "create foreign table remote_orders (id bigint) server billing;\n"


@pytest.mark.parametrize("sql", [
    MATVIEW + "grant select on totals to anon;",
    MATVIEW + "grant all on public.totals to authenticated;",
    MATVIEW + "grant select on totals to public;",
    FOREIGN + "grant select, insert on remote_orders to anon, service_role;",
    MATVIEW + "grant select on all tables in schema public to anon;",
])
def test_fires_on_grants_to_api_roles(sql: str) -> None:
    assert len(hits(sql, "S513")) == 1


@pytest.mark.parametrize("sql", [
    MATVIEW + "grant select on totals to service_role;",
    MATVIEW + "grant insert on totals to anon;",
    MATVIEW + "revoke select on totals from anon;",
    "create materialized view private.totals as select 1;\ngrant select on private.totals to anon;",
    "create table t (id bigint primary key);\ngrant select on t to anon;",  # RLS applies (S501)
    "grant select on old_matview to anon;",  # not created here
])
def test_does_not_fire_on_other_roles_privileges_or_relations(sql: str) -> None:
    assert hits(sql, "S513") == []


def test_points_at_the_granted_relation() -> None:
    findings = lint(MATVIEW + FOREIGN + "grant select on remote_orders, totals to authenticated;", only="S513")
    assert [(f.line, f.column, f.severity) for f in findings] == [(3, 17, "warning"), (3, 32, "warning")]
    assert findings[0].message.startswith("foreign table public.remote_orders is granted to authenticated")
    assert findings[1].message.startswith("materialized view public.totals is granted to authenticated")
