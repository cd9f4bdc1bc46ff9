"""L118 ban-domain-check-constraint."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create domain email as text check (value like '%@%');",
    "create domain positive as int not null constraint positive_check check (value > 0);",
    "alter domain email add constraint email_check check (value like '%@%');",
    "alter domain email add constraint email_check check (value like '%@%') not valid;",  # VALIDATE scans later
])
def test_fires_on_a_check_on_a_domain(sql: str) -> None:
    assert len(hits(sql, "L118")) == 1


@pytest.mark.parametrize("sql", [
    "create domain email as text;",
    "create domain email as text not null default '';",
    "alter domain email set default '';",
    "alter domain email drop constraint email_check;",
    "alter table t add constraint c check (email like '%@%') not valid;",
])
def test_does_not_fire_on_domains_without_check(sql: str) -> None:
    assert hits(sql, "L118") == []


def test_points_at_the_check_and_moves_it_to_the_columns() -> None:
    (finding,) = lint("select 1;\ncreate domain email as text not null check (value like '%@%');", only="L118")
    assert (finding.line, finding.column, finding.severity) == (2, 38, "warning")
    assert finding.rewrite == "\n".join([
        "CREATE DOMAIN email AS text NOT NULL;",
        ("-- a CHECK on each column of this type instead, table by table (NOT VALID, then VALIDATE in a later "
        "migration), with VALUE replaced by the column:"),
        "-- ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (value LIKE '%@%') NOT VALID;",
    ])
