"""T308 index-too-many-columns."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "create index i on t (a, b, c, d);",
    "create index concurrently i on t (a, lower(b), c, d, e);",
    "create index i on t using gin (a, b, c, d);",
])
def test_fires_on_non_unique_indexes_over_three_columns(sql: str) -> None:
    assert len(hits(sql, "T308")) == 1


@pytest.mark.parametrize("sql", [
    "create index i on t (a, b, c);",
    "create unique index i on t (a, b, c, d);",
    "create index i on t (a, b) include (c, d, e);",
    "alter table t add constraint u unique (a, b, c, d);",
])
def test_does_not_fire_on_three_columns_unique_or_included(sql: str) -> None:
    assert hits(sql, "T308") == []


def test_points_at_the_table() -> None:
    (finding,) = lint("create index wide on public.orders (a, b, c, d);", only="T308")
    assert (finding.line, finding.column, finding.severity) == (1, 22, "info")
    assert finding.message.startswith("index on public.orders has 4 key columns")
    assert finding.rewrite is None
