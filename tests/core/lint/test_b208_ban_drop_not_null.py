"""B208 ban-drop-not-null."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("alter table accounts alter column email drop not null;", 1),
    ("ALTER TABLE billing.accounts ALTER email DROP NOT NULL, ALTER name DROP NOT NULL;", 2),
])
def test_fires_on_each_drop_not_null(sql: str, count: int) -> None:
    assert len(hits(sql, "B208")) == count


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table drafts (email text not null);\nalter table drafts alter column email drop not null;", ()),
    ("alter table drafts alter column email drop not null;", ("public.drafts",)),
    ("alter table accounts alter column email set not null;", ()),
    ("alter table accounts alter column email drop default;", ()),
    ("alter domain email drop not null;", ()),
])
def test_does_not_fire_on_new_tables_or_other_changes(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B208", new_tables=new_tables) == []


def test_points_at_the_table_and_names_the_column() -> None:
    (finding,) = lint("select 1;\nalter table accounts alter column email drop not null;", only="B208")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.message == ("DROP NOT NULL on public.accounts.email: the deployed code that assumes email "
                               "is always set will meet NULLs")
    assert finding.rewrite is None
