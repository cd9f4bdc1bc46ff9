"""B207 adding-required-field."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("alter table accounts add column plan text not null;", 1),
    ("ALTER TABLE billing.accounts ADD COLUMN IF NOT EXISTS plan text NOT NULL REFERENCES plans;", 1),
    ("alter table accounts add column plan text not null default null;", 1),  # a NULL default is no default
    ("alter table accounts add column a int not null, add column b int, add column c int not null;", 2),
])
def test_fires_on_each_required_column_without_a_default(sql: str, count: int) -> None:
    assert len(hits(sql, "B207")) == count


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table accounts add column plan text;", ()),
    ("alter table accounts add column priority integer default 0 not null;", ()),  # the guide's safe example
    ("alter table accounts add column created_at timestamptz not null default now();", ()),
    ("alter table accounts add column id bigint generated always as identity not null;", ()),
    ("alter table accounts add column total int not null generated always as (a + b) stored;", ()),
    ("alter table accounts add column n bigserial not null;", ()),
    ("create table drafts (id int);\nalter table drafts add column plan text not null;", ()),
    ("alter table drafts add column plan text not null;", ("public.drafts",)),
    ("create table accounts (plan text not null);", ()),
    ("alter table accounts alter column plan set not null;", ()),  # L107
])
def test_does_not_fire_on_defaults_filled_columns_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B207", new_tables=new_tables) == []


def test_points_at_the_column_and_rewrites_nullable_then_validated_check() -> None:
    (finding,) = lint("select 1;\nalter table accounts add column a int, add column plan text not null;", only="B207")
    assert (finding.line, finding.column, finding.severity) == (2, 51, "error")
    assert finding.message == ("ADD COLUMN plan NOT NULL without a default fails if public.accounts has rows, "
                               "and breaks the deployed code's INSERTs, which omit plan")
    assert finding.rewrite == (
        "-- 1. add it nullable: INSERTs of the deployed code, which omit it, keep working\n"
        "ALTER TABLE accounts ADD COLUMN plan text;\n"
        "-- 2. deploy code that writes plan, and backfill the existing rows in batches\n"
        "-- 3. once backfilled, a CHECK that only new writes must pass:\n"
        "ALTER TABLE accounts ADD CONSTRAINT accounts_plan_not_null CHECK (plan IS NOT NULL) NOT VALID;\n"
        "-- 4. in a later migration: VALIDATE takes no write lock, and SET NOT NULL then skips its scan\n"
        "ALTER TABLE accounts VALIDATE CONSTRAINT accounts_plan_not_null;\n"
        "ALTER TABLE accounts ALTER COLUMN plan SET NOT NULL;\n"
        "ALTER TABLE accounts DROP CONSTRAINT accounts_plan_not_null;\n"
        "-- or, when one value suits every existing row: ADD COLUMN plan ... NOT NULL DEFAULT <constant>"
    )


def test_keeps_the_other_constraints_and_before_pg12_advises_a_maintenance_window() -> None:
    (finding,) = lint('alter table "Billing".accounts add column plan text not null references plans;',
                      only="B207", pg_version=11)
    assert finding.rewrite == (
        "-- 1. add it nullable: INSERTs of the deployed code, which omit it, keep working\n"
        'ALTER TABLE "Billing".accounts ADD COLUMN plan text REFERENCES plans;\n'
        "-- 2. deploy code that writes plan, and backfill the existing rows in batches\n"
        "-- 3. before PG12, SET NOT NULL scans the table under ACCESS EXCLUSIVE: run it in a maintenance window\n"
        'ALTER TABLE "Billing".accounts ALTER COLUMN plan SET NOT NULL;\n'
        "-- or, when one value suits every existing row: ADD COLUMN plan ... NOT NULL DEFAULT <constant>"
    )
