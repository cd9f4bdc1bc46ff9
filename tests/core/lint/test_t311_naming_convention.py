"""T311 naming-convention (opt-in)."""

from __future__ import annotations

import pytest

from service.core.lint import LintConfig, Severity, lint_file
from service.core.lint.rules.t311_naming_convention import RULE
from tests.core.lint.lint_support import hits


def _selected(sql: str) -> list[tuple[int, int, str, str]]:
    result = lint_file("20261124_001_x.sql", sql, config=LintConfig(select=("naming-convention",)))
    return [(f.line, f.column, f.severity.value, f.message) for f in result.findings]


def test_is_off_unless_selected() -> None:
    assert not RULE.enabled_by_default and RULE.severity is Severity.INFO
    assert hits('create table "Users" (id bigint);', "T311") == []


@pytest.mark.parametrize("sql", [
    'create schema "Billing";',
    'create table "Users" (id bigint);',
    'create table users ("userId" bigint);',
    'create table users (id bigint, constraint "Users PK" primary key (id));',
    'create table users (id bigint constraint "ID check" check (id > 0));',
    'create index "IdxUsers" on users (id);',
    'create view "ActiveUsers" as select 1;',
    'alter table users add column "Email" text;',
    'alter table users add constraint "FK_org" foreign key (org) references orgs (id) not valid;',
    'alter table users rename column email to "eMail";',
    'alter table users rename to "People";',
])
def test_fires_on_names_that_are_not_snake_case(sql: str) -> None:
    assert len(_selected(sql)) == 1


@pytest.mark.parametrize("sql", [
    "create table Users (UserId bigint);",  # unquoted: folded to lower case
    "create table user_accounts_2 (_id bigint, constraint user_accounts_2_pk primary key (_id));",
    'alter table "Legacy" add column ok text;',  # only defined names are checked
    'create policy "Users can read their own rows" on t using (true);',  # policy names are sentences
    'create index on "Legacy" (a);',
])
def test_does_not_fire_on_snake_case_or_referenced_names(sql: str) -> None:
    assert _selected(sql) == []


def test_points_at_the_column_and_names_the_pattern() -> None:
    assert _selected('create table users (\n  "Email" text\n);') == [
        (2, 3, "info", "column name 'Email' does not match the naming convention [a-z_][a-z0-9_]*"),
    ]
