"""B211 ban-set-schema."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table accounts set schema billing;",
    "alter table if exists accounts set schema billing;",
    "alter view active_users set schema reports;",
    "alter function f(int) set schema util;",
    "alter type status set schema billing;",
    "alter extension pg_trgm set schema extensions;",
    "alter sequence order_numbers set schema billing;",
])
def test_fires_on_moving_an_existing_object(sql: str) -> None:
    assert len(hits(sql, "B211")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table drafts (a int);\nalter table drafts set schema billing;", ()),
    ("alter table drafts set schema billing;", ("public.drafts",)),
    ("alter table accounts rename to members;", ()),
    ("create table billing.accounts (a int);", ()),
])
def test_does_not_fire_on_new_tables_or_other_statements(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B211", new_tables=new_tables) == []


def test_points_at_a_table() -> None:
    (finding,) = lint("select 1;\nalter table accounts set schema billing;", only="B211")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.message == ("moving table public.accounts to schema billing breaks the code and search_path "
                               "settings that find it in its old schema")


def test_names_a_function_and_reports_at_the_statement() -> None:
    (finding,) = lint("select 1;\nalter function util.f(int) set schema lib;", only="B211")
    assert (finding.line, finding.column) == (2, 1)
    assert finding.message.startswith("moving function util.f to schema lib ")
