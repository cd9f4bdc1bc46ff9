"""L116 require-lock-timeout."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table t add column c int;",
    "create index i on t (a);",
    "drop index i;",
    "drop table t;",
    "truncate t;",
    "lock table t in access exclusive mode;",
    "reindex table t;",
    "alter table t rename column a to b;",
    "create trigger tr before insert on t for each row execute function f();",
    "create policy p on t using (true);",
    "create table child partition of parent for values in (1);",
    "create table orders (customer_id bigint references customers);",
    "refresh materialized view mv;",
    "select 1;\nalter table t add column c int;\nalter table u add column c int;",  # once per file
    "alter table t add column c int;\nset lock_timeout = '1s';",  # too late
    "set statement_timeout = '1min';\nalter table t add column c int;",  # the other timeout
])
def test_fires_once_on_the_first_locking_statement_without_a_lock_timeout(sql: str) -> None:
    assert len(hits(sql, "L116", runner_sets_timeouts=False)) == 1


@pytest.mark.parametrize(("sql", "runner_sets_timeouts"), [
    ("alter table t add column c int;", True),  # the runner sets it
    ("set lock_timeout = '5s';\nalter table t add column c int;", False),
    ("set local lock_timeout to '5s';\ncreate index i on t (a);", False),
    ("create table t (a int);\ncreate index i on t (a);\nalter table t add column b int;", False),  # new table
    ("-- Transaction: none\ncreate index concurrently i on t (a);", False),
    ("-- Transaction: none\ndrop index concurrently i;", False),
    ("create table t (a int);\ndrop table t;", False),
    ("select 1;\ninsert into t values (1);\ncreate function f() returns int language sql as 'select 1';", False),
    ("refresh materialized view concurrently mv;", False),
    ("create table orders (customer_id bigint);", False),
])
def test_does_not_fire_with_a_lock_timeout_or_without_locking_ddl(sql: str, runner_sets_timeouts: bool) -> None:
    assert hits(sql, "L116", runner_sets_timeouts=runner_sets_timeouts) == []


def test_points_at_the_first_locking_statement_and_sets_the_timeout_before_it() -> None:
    findings = lint("create table n (a int);\n  alter table t add column c int;\ndrop index i;", only="L116",
                    runner_sets_timeouts=False)
    assert [(f.line, f.column, f.severity) for f in findings] == [(2, 3, "warning")]
    assert findings[0].rewrite == (
        "-- first in the file: give up on a lock after 5 seconds, then retry the migration\n"
        "SET LOCAL lock_timeout = '5s';\nalter table t add column c int;"
    )


def test_a_non_transactional_file_gets_a_session_set() -> None:
    (finding,) = lint("-- Transaction: none\ndrop index i;", only="L116", runner_sets_timeouts=False)
    assert finding.rewrite is not None and "\nSET lock_timeout = '5s';\n" in finding.rewrite
