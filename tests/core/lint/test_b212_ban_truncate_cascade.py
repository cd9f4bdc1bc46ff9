"""B212 ban-truncate-cascade."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "truncate accounts cascade;",
    "TRUNCATE TABLE ONLY billing.accounts, orders RESTART IDENTITY CASCADE;",
    "create table drafts (a int);\ntruncate drafts cascade;",
])
def test_fires_on_truncate_cascade(sql: str) -> None:
    assert len(hits(sql, "B212")) == 1


@pytest.mark.parametrize("sql", [
    "truncate accounts;",
    "truncate accounts, orders restrict;",
    "drop table accounts cascade;",
    "delete from accounts;",
])
def test_does_not_fire_without_cascade(sql: str) -> None:
    assert hits(sql, "B212") == []


def test_points_at_the_first_table_and_rewrites_without_cascade() -> None:
    (finding,) = lint("select 1;\ntruncate only billing.accounts, orders restart identity cascade;", only="B212")
    assert (finding.line, finding.column, finding.severity) == (2, 15, "error")
    assert finding.message == ("TRUNCATE ... CASCADE of billing.accounts, public.orders also empties every table "
                               "that references them, including tables the statement does not name")
    assert finding.rewrite == (
        "-- name every table to empty; without CASCADE, TRUNCATE refuses to leave dangling references\n"
        "TRUNCATE TABLE ONLY billing.accounts, orders RESTART IDENTITY;"
    )
