"""B201 ban-drop-table."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("drop table accounts;", 1),
    ("DROP TABLE IF EXISTS public.accounts, audit.events CASCADE;", 2),
    ("create table a (id int);\ndrop table a, b;", 1),  # only b existed before
])
def test_fires_once_per_existing_table(sql: str, count: int) -> None:
    assert len(hits(sql, "B201")) == count


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table staging (id int);\ndrop table staging;", ()),
    ("create temp table staging (id int);\ndrop table if exists staging;", ()),
    ("drop table s.t;", ("s.t",)),  # created by an earlier pending migration
    ("drop view accounts;", ()),
    ("drop index accounts_pkey;", ()),
    ("alter table accounts drop column a;", ()),
])
def test_does_not_fire_on_tables_of_this_run_or_other_drops(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B201", new_tables=new_tables) == []


def test_reports_at_the_statement_and_names_the_table() -> None:
    (finding,) = lint("select 1;\n  drop table s.accounts cascade;", only="B201")
    assert (finding.line, finding.column, finding.severity, finding.name) == (2, 3, "error", "ban-drop-table")
    assert finding.message == ("DROP TABLE s.accounts deletes its data and breaks the application versions that "
                               "still use it and, with CASCADE, the views and foreign keys that depend on it")
    assert finding.rewrite is None


def test_is_a_warning_in_a_contract_phase() -> None:
    (finding,) = lint("-- Phase: contract\ndrop table accounts;", only="B201")
    assert finding.severity == "warning"
