"""L119 prefer-text-field."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create table accounts (name varchar(100));",
    "create table accounts (name character varying(100) not null);",
    "create table accounts (tags varchar(20)[]);",
    "alter table accounts add column name varchar(100);",
    "alter table accounts alter column name type varchar(200);",
])
def test_fires_on_a_bounded_varchar_column(sql: str) -> None:
    assert len(hits(sql, "L119")) == 1


@pytest.mark.parametrize("sql", [
    "create table accounts (name text, code varchar, c char(2));",
    "alter table accounts add column name text;",
    "alter table accounts alter column name type text;",
    "select 'x'::varchar(10);",
    "create function f(a varchar(10)) returns int language sql as 'select 1';",
])
def test_does_not_fire_on_text_or_unbounded_varchar(sql: str) -> None:
    assert hits(sql, "L119") == []


def test_points_at_the_type_of_each_column_and_rewrites_a_new_table_with_inline_checks() -> None:
    findings = lint("select 1;\ncreate table accounts (name varchar(100) not null, code varchar(8));", only="L119")
    assert [(f.line, f.column, f.severity) for f in findings] == [(2, 29, "info"), (2, 57, "info")]
    assert findings[0].rewrite == findings[1].rewrite == (
        "CREATE TABLE accounts (name text NOT NULL CONSTRAINT accounts_name_length CHECK (char_length(name) <= 100), "
        "code text CONSTRAINT accounts_code_length CHECK (char_length(code) <= 8));"
    )


def test_an_existing_table_gets_a_not_valid_check_validated_later() -> None:
    (finding,) = lint("alter table accounts add column name varchar(100);", only="L119")
    assert finding.rewrite == "\n".join([
        ("ALTER TABLE accounts ADD COLUMN name text, "
        "ADD CONSTRAINT accounts_name_length CHECK (char_length(name) <= 100) NOT VALID;"),
        "-- in a later migration (its own transaction):",
        "ALTER TABLE accounts VALIDATE CONSTRAINT accounts_name_length;",
    ])
