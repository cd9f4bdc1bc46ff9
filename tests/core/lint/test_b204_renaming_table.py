"""B204 renaming-table."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table accounts rename to members;",
    "ALTER TABLE IF EXISTS billing.accounts RENAME TO members;",
])
def test_fires_on_renaming_an_existing_table(sql: str) -> None:
    assert len(hits(sql, "B204")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table draft (id int);\nalter table draft rename to final;", ()),
    ("alter table draft rename to final;", ("public.draft",)),
    ("alter table accounts rename column a to b;", ()),  # B205
    ("alter view v rename to w;", ()),
    ("alter index i rename to j;", ()),  # B206
    ("alter table accounts rename constraint c to d;", ()),  # B206
])
def test_does_not_fire_on_new_tables_or_other_renames(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B204", new_tables=new_tables) == []


def test_points_at_the_table_and_bridges_with_a_view_under_the_old_name() -> None:
    (finding,) = lint("select 1;\nalter table billing.accounts rename to members;", only="B204")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "error")
    assert finding.message == ("renaming billing.accounts to members breaks the application versions that still "
                               "use billing.accounts")
    assert finding.rewrite == (
        "-- rename, and keep the old name working: a view over one table is updatable\n"
        "ALTER TABLE billing.accounts RENAME TO members;\n"
        "CREATE VIEW billing.accounts WITH (security_invoker = true) AS SELECT * FROM billing.members;\n"
        "-- once no deployed code uses billing.accounts, in a migration marked `-- Phase: contract`:\n"
        "-- DROP VIEW billing.accounts;"
    )


def test_before_pg15_the_view_has_no_security_invoker_and_names_are_quoted() -> None:
    (finding,) = lint('alter table "User" rename to "Member";', only="B204", pg_version=14)
    assert finding.rewrite is not None
    assert 'CREATE VIEW "User" AS SELECT * FROM "Member";' in finding.rewrite


def test_is_a_warning_in_a_contract_phase() -> None:
    (finding,) = lint("-- Phase: contract\nalter table accounts rename to members;", only="B204")
    assert finding.severity == "warning"
