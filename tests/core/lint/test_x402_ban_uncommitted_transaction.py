"""X402 ban-uncommitted-transaction."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "expected"), [
    ("begin;\ncreate table t (a int);", [(1, 1)]),
    ("begin;\ncommit;\nstart transaction;\nselect 1;", [(3, 1)]),
    ("begin;\nbegin;\nselect 1;", [(1, 1)]),  # the nested BEGIN is ignored: the first one is left open
    ("begin;\ncommit and chain;", [(1, 1)]),
    ("begin;\nsavepoint a;\nrelease savepoint a;", [(1, 1)]),
])
def test_fires_once_at_the_begin_left_open(sql: str, expected: list[tuple[int, int]]) -> None:
    assert hits(sql, "X402") == expected


@pytest.mark.parametrize("sql", [
    "-- Migration: 20261124_001_x.sql\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;",  # the guide's template
    "begin;\nselect 1;\nend;",
    "begin;\nselect 1;\nrollback;",
    "begin;\nselect 1;\nabort;",
    "begin;\nbegin;\ncommit;",  # X401, but the one transaction is committed
    "begin;\nprepare transaction 'x';",
    "create table t (a int);",
    "commit;",
])
def test_does_not_fire_when_every_begin_is_ended(sql: str) -> None:
    assert hits(sql, "X402") == []


def test_is_an_error_at_the_begin() -> None:
    (finding,) = lint("select 1;\n  start transaction;\nselect 2;", only="X402")
    assert (finding.line, finding.column, finding.severity, finding.name) == (
        2, 3, "error", "ban-uncommitted-transaction")
