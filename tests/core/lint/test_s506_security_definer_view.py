"""S506 security-definer-view."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create view v as select * from t;",
    "create or replace view public.v as select * from t;",
    "create view v with (security_invoker = false) as select * from t;",
    "create view v with (security_invoker = off, check_option = local) as select * from t;",
    "create view v with (security_invoker) as select 1;\nalter view v reset (security_invoker);",
])
def test_fires_on_exposed_views_that_run_as_their_owner(sql: str) -> None:
    assert len(hits(sql, "S506")) == 1


@pytest.mark.parametrize("sql", [
    "create view v with (security_invoker = true) as select * from t;",
    "create view v with (security_invoker) as select * from t;",
    "create view v with (security_invoker = on) as select * from t;",
    "create view v as select * from t;\nalter view v set (security_invoker = true);",
    "create view private.v as select * from t;",
    "create temp view v as select * from t;",
    "alter view old set (security_invoker = false);",  # not created here
])
def test_does_not_fire_on_invoker_views_or_unexposed_schemas(sql: str) -> None:
    assert hits(sql, "S506") == []


def test_is_silent_before_postgresql_15_which_has_no_security_invoker() -> None:
    assert hits("create view v as select * from t;", "S506", pg_version=14) == []


def test_points_at_the_view_and_rewrites_it_with_security_invoker() -> None:
    (finding,) = lint("select 1;\ncreate view active_users with (check_option = local) as select * from users;",
                      only="S506")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "error")
    assert finding.message.startswith("view public.active_users runs with its owner's rights")
    assert finding.rewrite == ("CREATE VIEW active_users WITH (check_option = local, security_invoker = true) "
                               "AS SELECT * FROM users")
