"""S508 security-definer-function-executable."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

DEFINER = "create function f(a int) returns int language sql security definer set search_path = '' as $$ select a $$;\n"


@pytest.mark.parametrize("sql", [
    DEFINER,
    DEFINER + "revoke execute on function f(int) from public;",  # anon and authenticated hold their own grant
    DEFINER + "revoke execute on function f(int) from anon;",
    DEFINER + "revoke execute on function f(int) from public, anon, authenticated;\n"
    "grant execute on function f(int) to authenticated;",
    DEFINER + "revoke execute on function f(text) from anon, authenticated;",  # another f
    DEFINER + "revoke select on all tables in schema public from anon, authenticated;",
])
def test_fires_while_an_api_role_can_still_execute_it(sql: str) -> None:
    assert len(hits(sql, "S508")) == 1


@pytest.mark.parametrize("sql", [
    DEFINER + "revoke execute on function f(int) from public, anon, authenticated;",
    DEFINER + "revoke all on function public.f(integer) from anon, authenticated;",
    DEFINER + "revoke execute on function f from anon;\nrevoke execute on function f from authenticated;",
    DEFINER + "revoke all on all functions in schema public from anon, authenticated;",
    DEFINER + "alter function f(int) security invoker;",
    "create function f() returns int language sql set search_path = '' as $$ select 1 $$;",  # invoker
    "create function private.f() returns int language sql security definer set search_path = '' "
    "as $$ select 1 $$;",  # not exposed
    "create function audit() returns trigger language plpgsql security definer set search_path = '' "
    "as $$ begin return new; end $$;",  # only callable as a trigger
])
def test_does_not_fire_once_anon_and_authenticated_lost_execute(sql: str) -> None:
    assert hits(sql, "S508") == []


def test_points_at_the_function_names_the_roles_and_rewrites_with_a_revoke() -> None:
    (finding,) = lint("select 1;\n" + DEFINER + "revoke execute on function f(int) from anon;", only="S508")
    assert (finding.line, finding.column, finding.severity) == (2, 1, "warning")
    assert finding.message.startswith("SECURITY DEFINER function public.f can be called through the API by "
                                      "authenticated")
    assert finding.rewrite == "REVOKE EXECUTE ON FUNCTION f (integer) FROM PUBLIC, anon, authenticated;"
