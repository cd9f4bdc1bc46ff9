"""S510 unindexed-foreign-keys."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint
from tests.core.lint.supabase_examples import GUIDE_NEW_TABLE

ORDERS = "create table orders (id bigint primary key, customer_id bigint references customers (id));\n"


@pytest.mark.parametrize("sql", [
    ORDERS,
    ORDERS + "create index on orders (id, customer_id);",  # not the leading column
    ORDERS + "create index on orders (customer_id) where status = 'open';",  # a lookup may miss it
    ORDERS + "create index on orders using gin (customer_id);",
    ORDERS + "create index on orders (lower(customer_id::text));",
    "create table t (a bigint, b bigint, foreign key (a, b) references p (x, y));\ncreate index on t (a);",
    "create table t (id bigint primary key, p bigint);\nalter table t add constraint t_p foreign key (p) "
    "references p (id);",
    "create table t (id bigint primary key);\nalter table t add column p bigint references p (id);",
])
def test_fires_on_foreign_keys_of_new_tables_without_a_leading_index(sql: str) -> None:
    assert len(hits(sql, "S510")) == 1


@pytest.mark.parametrize("sql", [
    GUIDE_NEW_TABLE,
    ORDERS + "create index on orders (customer_id);",
    ORDERS + "create index concurrently if not exists i on public.orders (customer_id, id);",
    ORDERS + "create index on orders using hash (customer_id);",
    ORDERS + "create index on orders (customer_id) where customer_id is not null;",
    "create table t (a bigint, b bigint, foreign key (a, b) references p (x, y));\ncreate index on t (b, a, c);",
    "create table t (a bigint, b bigint, primary key (a, b), foreign key (a) references p (x));",
    "create table t (a bigint unique references p (x));",
    "create table profiles (id uuid primary key references auth.users (id));",
    "alter table old add constraint o_p foreign key (p) references p (id) not valid;",  # an older table
])
def test_does_not_fire_when_an_index_leads_with_the_columns_or_the_table_is_older(sql: str) -> None:
    assert hits(sql, "S510") == []


def test_points_at_the_foreign_key_and_rewrites_with_an_index_on_the_new_table() -> None:
    (finding,) = lint("select 1;\n" + ORDERS, only="S510")
    assert (finding.line, finding.column, finding.severity) == (2, 64, "info")
    assert finding.message.startswith("foreign key (customer_id) of public.orders has no index")
    assert finding.rewrite == ("-- public.orders is new, so a plain CREATE INDEX in this migration blocks nobody\n"
                               "CREATE INDEX orders_customer_id_idx ON orders (customer_id);")
