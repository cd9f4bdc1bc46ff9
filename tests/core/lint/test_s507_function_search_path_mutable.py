"""S507 function-search-path-mutable."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

BODY = "language sql as $$ select 1 $$"


@pytest.mark.parametrize("sql", [
    f"create function f() returns int {BODY};",
    f"create or replace function private.f(a int) returns int security definer {BODY};",
    f"create procedure p() {BODY};",
    f"create function f() returns int {BODY};\nalter function f(int) set search_path = '';",  # another f
    f"create function f() returns int set search_path = '' {BODY};\nalter function f() reset search_path;",
    f"create function f() returns int set search_path = '' {BODY};\nalter function f() reset all;",
])
def test_fires_on_functions_left_without_a_search_path(sql: str) -> None:
    assert len(hits(sql, "S507")) == 1


@pytest.mark.parametrize("sql", [
    f"create function f() returns int set search_path = '' {BODY};",
    f"create function f() returns int set search_path = public, pg_temp {BODY};",
    f"create function f() returns int set search_path from current {BODY};",
    f"create function f(a integer) returns int {BODY};\nalter function public.f(int) set search_path = '';",
    f"create function f() returns int {BODY};\nalter function f set search_path = '';",
    "alter function old() set search_path = public;",
])
def test_does_not_fire_when_the_function_has_its_own_search_path(sql: str) -> None:
    assert hits(sql, "S507") == []


def test_points_at_the_statement_and_rewrites_with_an_empty_search_path() -> None:
    (finding,) = lint("select 1;\n  create function public.total(a int) returns bigint language sql as $$ select 1 $$;",
                      only="S507")
    assert (finding.line, finding.column, finding.severity) == (2, 3, "warning")
    assert finding.message.startswith("function public.total has no search_path of its own")
    assert finding.rewrite == (
        "-- with an empty search_path, qualify every table, type and function in the body (public.t)\n"
        "CREATE FUNCTION public.total(a integer) RETURNS bigint LANGUAGE sql AS $$ select 1 $$ SET search_path TO ''"
    )
