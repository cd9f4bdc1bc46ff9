"""T307 prefer-robust-stmts."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

NONE = "-- Transaction: none\n"


@pytest.mark.parametrize("sql", [
    "create table t (a bigint);",
    "create index concurrently i on t (a);",
    "create index concurrently on t (a);",
    "drop index concurrently i;",
    "drop table t;",
    "create sequence s;",
    "create schema s;",
    "create extension pgcrypto;",
    "create view v as select 1;",
    "create function f() returns int language sql as 'select 1';",
    "create policy p on t using (true);",
    "create trigger tr after insert on t for each row execute function f();",
    "alter table t add column a bigint;",
    "alter table t drop column a;",
    "alter table t drop constraint c;",
    "alter table t add constraint c check (a > 0) not valid;",
    "begin;\ncommit;\ncreate table t (a bigint);",  # after the explicit transaction
])
def test_fires_outside_a_transaction(sql: str) -> None:
    assert len(hits(NONE + sql, "T307")) == 1


@pytest.mark.parametrize("sql", [
    NONE + "create table if not exists t (a bigint);",
    NONE + "create temp table t (a bigint);",
    NONE + "create index concurrently if not exists i on t (a);",
    NONE + "drop index concurrently if exists i;",
    NONE + "drop index if exists i;\ncreate index i on t (a);",
    NONE + "create or replace view v as select 1;",
    NONE + "create or replace function f() returns int language sql as 'select 1';",
    NONE + "drop policy if exists p on t;\ncreate policy p on t using (true);",
    NONE + "alter table t add column if not exists a bigint, drop column if exists b;",
    NONE + "alter table t drop constraint if exists c;\nalter table t add constraint c check (a > 0) not valid;",
    NONE + "alter table t drop constraint if exists c, add constraint c check (a > 0) not valid;",
    NONE + "alter table t validate constraint c;",  # validating twice is harmless
    NONE + "begin;\ncreate table t (a bigint);\ncommit;",
    "create table t (a bigint);\ndrop table u;",  # a transactional file rolls back as a whole
])
def test_does_not_fire_on_rerunnable_statements_or_in_a_transaction(sql: str) -> None:
    assert hits(sql, "T307") == []


def test_points_at_the_index_and_rewrites_with_if_not_exists() -> None:
    (finding,) = lint(NONE + "create index concurrently idx_a on accounts (a);", only="T307")
    assert (finding.line, finding.column, finding.severity) == (2, 36, "info")
    assert finding.rewrite == (
        "-- a failed CONCURRENTLY build leaves an INVALID index that IF NOT EXISTS would keep: "
        "drop it (DROP INDEX CONCURRENTLY IF EXISTS) before the rerun\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON accounts (a)"
    )


def test_rewrites_drops_and_alter_table_commands() -> None:
    (drop,) = lint(NONE + "drop table t;", only="T307")
    assert (drop.line, drop.column, drop.rewrite) == (2, 1, "DROP TABLE IF EXISTS t")
    add, constraint = lint(NONE + "alter table t add column a bigint, add constraint c check (a > 0);", only="T307")
    assert add.message.startswith("missing IF NOT EXISTS") and constraint.message.startswith("ADD CONSTRAINT c")
    assert add.rewrite == constraint.rewrite == (
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS c;\n"
        "ALTER TABLE t ADD COLUMN IF NOT EXISTS a bigint, ADD CONSTRAINT c CHECK (a > 0);"
    )


def test_policies_are_dropped_first_and_triggers_replaced_from_pg14() -> None:
    (policy,) = lint(NONE + "create policy p on t for select using (true);", only="T307")
    assert policy.rewrite == (
        "DROP POLICY IF EXISTS p ON t;\nCREATE POLICY p ON t AS PERMISSIVE FOR select TO PUBLIC USING (TRUE);"
    )
    trigger = NONE + "create trigger tr after insert on t for each row execute function f();"
    (replaced,) = lint(trigger, only="T307")
    assert (replaced.rewrite or "").startswith("CREATE OR REPLACE TRIGGER tr AFTER INSERT ON t")
    (dropped,) = lint(trigger, only="T307", pg_version=13)
    assert (dropped.rewrite or "").startswith("DROP TRIGGER IF EXISTS tr ON t;\nCREATE TRIGGER tr")


def test_an_unnamed_index_or_constraint_gets_no_rewrite() -> None:
    (index,) = lint(NONE + "create index concurrently on t (a);", only="T307")
    assert index.message.startswith("unnamed index") and index.rewrite is None
    (constraint,) = lint(NONE + "alter table t add check (a > 0);", only="T307")
    assert constraint.rewrite is None
