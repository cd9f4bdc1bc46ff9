"""T306 identifier-too-long."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

LONG = "a" * 64  # one byte over the limit
EXACT = "b" * 63


@pytest.mark.parametrize("sql", [
    f"create table {LONG} (id bigint);",
    f"create table t ({LONG} bigint);",
    f"create index {LONG} on t (a);",
    f"alter table t add constraint {LONG} check (a > 0);",
    f"drop table {LONG};",
    f'create table "{LONG}" (id bigint);',
    f'create table "{"é" * 32}" (id bigint);',  # 32 characters, 64 bytes
    f"select {LONG} from t;",
])
def test_fires_on_identifiers_over_63_bytes(sql: str) -> None:
    assert len(hits(sql, "T306")) == 1


@pytest.mark.parametrize("sql", [
    f"create table {EXACT} (id bigint);",
    f'create table "{"é" * 31}x" (id bigint);',  # 63 bytes
    f"comment on table t is '{LONG}';",  # a string, not an identifier
    f"-- {LONG}\nselect 1;",
    f"create function f() returns int language sql as $$ select 1 as {LONG} $$;",  # a body is a string
])
def test_does_not_fire_on_names_within_the_limit_or_on_strings(sql: str) -> None:
    assert hits(sql, "T306") == []


def test_points_at_each_long_name_and_says_what_it_becomes() -> None:
    findings = lint(f"select 1;\ncreate table {LONG} (\n  {LONG}x bigint\n);", only="T306")
    assert [(f.line, f.column, f.severity) for f in findings] == [(2, 14, "error"), (3, 3, "error")]
    assert findings[0].message == f"identifier {LONG} is 64 bytes: PostgreSQL silently truncates it to {'a' * 63}"
    assert findings[1].rewrite is None


def test_reports_the_statement_that_holds_the_name_for_inline_ignores() -> None:
    sql = f"select 1;\n-- lint-ignore: T306 -- generated name, kept on purpose\ncreate table {LONG} (id bigint);"
    assert lint(sql, only="T306") == []
    assert lint(sql, only="M001") == []
