"""S514 duplicate-index."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

FIRST = "create index orders_customer on orders (customer_id) where status = 'open';\n"


@pytest.mark.parametrize("sql", [
    FIRST + "create index orders_customer_open on public.orders (customer_id) where status = 'open';",
    FIRST + "create index concurrently if not exists i2 on orders using btree (customer_id) where status = 'open';",
    "create index on t (a);\ncreate index on t (a);",
    "create index i1 on t (a);\ndrop index i1;\ncreate index i2 on t (a);\ncreate index i3 on t (a);",
])
def test_fires_on_a_second_identical_index(sql: str) -> None:
    assert len(hits(sql, "S514")) == 1


@pytest.mark.parametrize("sql", [
    FIRST + "create index i2 on orders (customer_id) where status = 'closed';",
    FIRST + "create index i2 on orders (customer_id);",
    FIRST + "create unique index i2 on orders (customer_id) where status = 'open';",
    FIRST + "create index i2 on orders using hash (customer_id) where status = 'open';",
    FIRST + "create index i2 on other (customer_id) where status = 'open';",
    "create index i1 on t (a desc);\ncreate index i2 on t (a);",
    "create index i1 on t (a) include (b);\ncreate index i2 on t (a);",
    "create index i1 on t (a);\ndrop index i1;\ncreate index i2 on t (a);",
    "create index if not exists i1 on t (a);\ncreate index if not exists i1 on t (a);",  # the same index
])
def test_does_not_fire_on_different_definitions_or_the_same_name(sql: str) -> None:
    assert hits(sql, "S514") == []


def test_a_copy_still_duplicates_the_copy_left_after_the_first_is_dropped() -> None:
    sql = "create index i1 on t (a);\ncreate index i2 on t (a);\ndrop index i1;\ncreate index i3 on t (a);"
    assert hits(sql, "S514") == [(2, 20), (4, 20)]
    assert "duplicates index i2" in lint(sql, only="S514")[1].message


def test_points_at_the_second_index_and_names_the_first() -> None:
    (finding,) = lint(FIRST + "create index orders_open on orders (customer_id) where status = 'open';", only="S514")
    assert (finding.line, finding.column, finding.severity) == (2, 29, "warning")
    assert finding.message == ("index orders_open on public.orders duplicates index orders_customer created "
                               "earlier in this file: same columns, method and predicate")
