"""B203 ban-drop-schema."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("drop schema billing;", 1),
    ("DROP SCHEMA IF EXISTS billing, audit CASCADE;", 2),
    ("create schema a;\ndrop schema a, b;", 1),
    ("-- Transaction: none\ndrop database analytics;", 1),
])
def test_fires_on_each_schema_and_database(sql: str, count: int) -> None:
    assert len(hits(sql, "B203")) == count


@pytest.mark.parametrize("sql", [
    "create schema scratch;\ndrop schema scratch cascade;",
    "create schema if not exists scratch authorization postgres;\ndrop schema scratch;",
    "drop table billing;",
    "drop owned by someone;",
])
def test_does_not_fire_on_schemas_of_this_file_or_other_drops(sql: str) -> None:
    assert hits(sql, "B203") == []


def test_reports_at_the_statement_with_the_schema_and_what_goes_with_it() -> None:
    (finding,) = lint("select 1;\ndrop schema billing cascade;", only="B203")
    assert (finding.line, finding.column, finding.severity) == (2, 1, "error")
    assert finding.message == "DROP SCHEMA billing removes the schema with every table, view and function in it"


def test_names_the_database() -> None:
    (finding,) = lint("-- Transaction: none\ndrop database if exists analytics;", only="B203")
    assert (finding.line, finding.column) == (2, 1)
    assert finding.message == "DROP DATABASE analytics destroys every schema, table and row in it"
