"""B209 ban-drop-constraint."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "count"), [
    ("alter table accounts drop constraint accounts_email_key;", 1),
    ("ALTER TABLE billing.accounts DROP CONSTRAINT IF EXISTS a CASCADE, DROP CONSTRAINT b;", 2),
    # SET NOT NULL on another column does not excuse this drop
    ("alter table accounts alter column name set not null;\nalter table accounts drop constraint accounts_email_check;",
     1),
    ("alter table other alter column email set not null;\nalter table accounts drop constraint accounts_email_check;",
     1),
])
def test_fires_on_dropping_an_existing_constraint(sql: str, count: int) -> None:
    assert len(hits(sql, "B209")) == count


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table drafts (a int unique);\nalter table drafts drop constraint drafts_a_key;", ()),
    ("alter table drafts drop constraint drafts_a_key;", ("public.drafts",)),
    ("alter table accounts add constraint tmp check (a > 0) not valid;\nalter table accounts drop constraint tmp;",
     ()),
    # the last steps of the safe SET NOT NULL (L107), and its PG-named variant
    (("alter table accounts validate constraint accounts_email_not_null;\n"
     "alter table accounts alter column email set not null;\n"
     "alter table accounts drop constraint accounts_email_not_null;"), ()),
    ("alter table accounts alter column email set not null, drop constraint accounts_email_check;", ()),
    ("alter table accounts drop column email;", ()),  # B202
    ("alter domain positive drop constraint positive_check;", ()),
])
def test_does_not_fire_on_constraints_of_this_run_or_the_safe_not_null(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B209", new_tables=new_tables) == []


def test_points_at_the_table() -> None:
    (finding,) = lint("select 1;\nalter table accounts drop constraint accounts_email_key;", only="B209")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.message == ("DROP CONSTRAINT accounts_email_key on public.accounts: the data loses a guarantee "
                               "(uniqueness, a valid reference, a check) that the deployed code or an ON CONFLICT "
                               "may rely on")
