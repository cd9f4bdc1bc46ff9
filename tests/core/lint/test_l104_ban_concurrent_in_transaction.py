"""L104 ban-concurrent-in-transaction."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create index concurrently i on t (a);",
    "create unique index concurrently if not exists i on t (a);",
    "drop index concurrently i;",
    "reindex index concurrently i;",
    "reindex (concurrently) table t;",
    "alter table p detach partition c concurrently;",
    "BEGIN;\ncreate index concurrently i on t (a);\nCOMMIT;",  # the guide's template: still one transaction
    "-- Transaction: none\nbegin;\ncreate index concurrently i on t (a);\ncommit;",
    "-- Transaction: none\nstart transaction;\ndrop index concurrently i;",
])
def test_fires_on_concurrently_inside_a_transaction(sql: str) -> None:
    assert len(hits(sql, "L104")) == 1


@pytest.mark.parametrize("sql", [
    "-- Transaction: none\ncreate index concurrently i on t (a);",
    "-- Transaction: none\ndrop index concurrently i;",
    "-- Transaction: none\nreindex (concurrently) index i;",
    "-- Transaction: none\nalter table p detach partition c concurrently;",
    "-- Transaction: none\nbegin;\nselect 1;\ncommit;\ncreate index concurrently i on t (a);",
    "-- Transaction: none\nbegin;\nselect 1;\nrollback;\ndrop index concurrently i;",
    "reindex (concurrently false) index i;",
    "refresh materialized view concurrently mv;",  # allowed inside a transaction block
    "alter table p detach partition c finalize;",
    "create index i on t (a);",
])
def test_does_not_fire_outside_a_transaction_or_without_concurrently(sql: str) -> None:
    assert hits(sql, "L104") == []


def test_points_at_the_table_and_moves_the_statement_to_a_non_transactional_file() -> None:
    (finding,) = lint("select 1;\ncreate index concurrently idx_a on accounts (a);", only="L104")
    assert (finding.line, finding.column, finding.severity) == (2, 36, "error")
    assert "this file runs in one transaction" in finding.message
    assert finding.rewrite == (
        "-- in a migration file of its own, marked:\n-- Transaction: none\n"
        "create index concurrently idx_a on accounts (a);"
    )


def test_an_explicit_begin_in_a_non_transactional_file_is_named() -> None:
    (finding,) = lint("-- Transaction: none\nbegin;\n  reindex (concurrently) index i;\ncommit;", only="L104")
    assert (finding.line, finding.column) == (3, 12)
    assert "explicit BEGIN" in finding.message
