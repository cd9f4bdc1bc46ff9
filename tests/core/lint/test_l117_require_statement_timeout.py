"""L117 require-statement-timeout."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table t add column c int;",
    "create index i on t (a);",
    "vacuum full t;",
    "select 1;\nalter table t add column c int;\nalter table u add column c int;",  # once per file
    "set lock_timeout = '5s';\nalter table t add column c int;",  # the other timeout
    "alter table t add column c int;\nset statement_timeout = '1min';",  # too late
])
def test_fires_once_on_the_first_locking_statement_without_a_statement_timeout(sql: str) -> None:
    assert len(hits(sql, "L117", runner_sets_timeouts=False)) == 1


@pytest.mark.parametrize(("sql", "runner_sets_timeouts"), [
    ("alter table t add column c int;", True),  # the runner sets it
    ("set statement_timeout = '15min';\nalter table t add column c int;", False),
    ("set local statement_timeout to 60000;\ncreate index i on t (a);", False),
    ("create table t (a int);\ncreate index i on t (a);", False),
    ("-- Transaction: none\ncreate index concurrently i on t (a);", False),
    ("select 1;\nupdate t set a = 1;", False),
])
def test_does_not_fire_with_a_statement_timeout_or_without_locking_ddl(sql: str, runner_sets_timeouts: bool) -> None:
    assert hits(sql, "L117", runner_sets_timeouts=runner_sets_timeouts) == []


def test_points_at_the_first_locking_statement_and_sets_the_timeout_before_it() -> None:
    findings = lint("select 1;\nalter table t add column c int;\ndrop index i;", only="L117",
                    runner_sets_timeouts=False)
    assert [(f.line, f.column, f.severity) for f in findings] == [(2, 1, "info")]
    assert findings[0].rewrite == (
        "-- first in the file: bound how long any statement may hold its locks (size it to the slowest expected "
        "statement)\nSET LOCAL statement_timeout = '15min';\nalter table t add column c int;"
    )
