"""B206 renaming-object."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter schema billing rename to finance;",
    "alter type status rename value 'active' to 'enabled';",
    "alter index accounts_email_idx rename to accounts_email_key;",
    "alter index if exists billing.accounts_email_idx rename to accounts_email_key;",
    "alter table accounts rename constraint accounts_check to accounts_positive;",
    "alter domain positive rename constraint positive_check to positive_only;",
])
def test_fires_on_renaming_an_existing_object(sql: str) -> None:
    assert len(hits(sql, "B206")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create schema scratch;\nalter schema scratch rename to draft;", ()),
    ("create type s.status as enum ('a');\nalter type s.status rename value 'a' to 'b';", ()),
    ("create index i on s.accounts (a);\nalter index s.i rename to j;", ()),
    ("create table t (a int check (a > 0));\nalter table t rename constraint t_a_check to t_positive;", ()),
    ("alter table t rename constraint t_a_check to t_positive;", ("public.t",)),
    ("alter type status add value 'paused';", ()),  # B213
    ("alter table accounts rename to members;", ()),  # B204
    ("alter table accounts rename column a to b;", ()),  # B205
])
def test_does_not_fire_on_objects_of_this_file_or_other_renames(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "B206", new_tables=new_tables) == []


def test_points_at_the_index() -> None:
    (finding,) = lint("select 1;\nalter index billing.accounts_email_idx rename to x;", only="B206")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.message == "renaming index billing.accounts_email_idx breaks the scripts, migrations and hints " \
        "that name it"


def test_an_enum_value_rename_is_rewritten_as_a_new_value_beside_the_old() -> None:
    (finding,) = lint("select 1;\nalter type billing.status rename value 'active' to 'enabled';", only="B206")
    assert (finding.line, finding.column) == (2, 1)
    assert finding.rewrite == (
        "-- add the new value beside the old one\n"
        "ALTER TYPE billing.status ADD VALUE IF NOT EXISTS 'enabled' AFTER 'active';\n"
        "-- in a later migration (a new value is usable once committed): move every column of type billing.status\n"
        "-- from 'active' to 'enabled', deploy code that writes 'enabled' only; keep 'active' "
        "(PostgreSQL cannot drop an enum value)"
    )
