"""T304 ban-char-field."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create table t (c char(2));",
    "create table t (c character(10));",
    "create table t (c char);",
    "create table t (c bpchar);",
    "create table t (c char(3)[]);",
    "alter table t add column c character(5);",
    "alter table t alter column c type char(5);",
])
def test_fires_on_blank_padded_char(sql: str) -> None:
    assert len(hits(sql, "T304")) == 1


@pytest.mark.parametrize("sql", [
    'create table t (c "char");',  # the one-byte internal type, not char(n)
    "create table t (c text, d varchar(10), e character varying(5));",
    "select 'a'::char(2);",
])
def test_does_not_fire_on_text_varchar_or_the_internal_char(sql: str) -> None:
    assert hits(sql, "T304") == []


def test_points_at_the_type_and_rewrites_to_text() -> None:
    (finding,) = lint("create table countries (code char(2) primary key);", only="T304")
    assert (finding.line, finding.column, finding.severity) == (1, 30, "info")
    assert finding.message.startswith("column code is char(2)")
    assert finding.rewrite == "CREATE TABLE countries (code text PRIMARY KEY)"
