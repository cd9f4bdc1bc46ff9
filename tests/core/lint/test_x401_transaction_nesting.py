"""X401 transaction-nesting."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize(("sql", "expected"), [
    ("begin;\nselect 1;\nbegin;\ncommit;", [(3, 1)]),
    ("BEGIN;\nSTART TRANSACTION;\nBEGIN;\nCOMMIT;", [(2, 1), (3, 1)]),
    ("begin;\ncommit and chain;\nbegin;\ncommit;", [(3, 1)]),  # AND CHAIN opens the next transaction at once
    ("begin;\nsavepoint a;\nbegin;\ncommit;", [(3, 1)]),
])
def test_fires_on_each_begin_inside_an_open_transaction(sql: str, expected: list[tuple[int, int]]) -> None:
    assert hits(sql, "X401") == expected


@pytest.mark.parametrize("sql", [
    "begin;\ncreate table t (a int);\ncommit;",  # the guide's template
    "begin;\nselect 1;\ncommit;\nbegin;\nselect 2;\ncommit;",
    "begin;\nselect 1;\nrollback;\nstart transaction;\ncommit;",
    "begin;\nsavepoint a;\nrollback to savepoint a;\nrelease savepoint a;\ncommit;",
    "begin;\nprepare transaction 'x';\nbegin;\ncommit;",
    "create table t (a int);",
    "do $$ begin perform 1; end $$;",
])
def test_does_not_fire_on_sequential_transactions_or_savepoints(sql: str) -> None:
    assert hits(sql, "X401") == []


def test_is_an_error_at_the_nested_begin() -> None:
    (finding,) = lint("begin;\n  begin;\ncommit;", only="X401")
    assert (finding.line, finding.column, finding.severity, finding.name) == (2, 3, "error", "transaction-nesting")
