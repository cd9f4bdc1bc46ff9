"""L108 adding-foreign-key-constraint."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table orders add constraint orders_customer_fkey foreign key (customer_id) references customers (id);",
    "alter table orders add foreign key (customer_id) references customers;",
    "alter table orders add column customer_id bigint references customers (id);",
    ("create table customers (id bigint primary key);\n"
    "alter table orders add foreign key (customer_id) references customers;"),  # new referenced, old referencing
])
def test_fires_on_a_foreign_key_without_not_valid(sql: str) -> None:
    assert len(hits(sql, "L108")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table orders add constraint fk foreign key (customer_id) references customers (id) not valid;", ()),
    ("alter table orders validate constraint fk;", ()),
    ("create table orders (customer_id bigint references customers (id));", ()),
    ("create table orders (customer_id bigint);\nalter table orders add foreign key (customer_id) references c;", ()),
    ("alter table orders add foreign key (customer_id) references customers;", ("public.orders",)),
])
def test_does_not_fire_on_not_valid_keys_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L108", new_tables=new_tables) == []


def test_points_at_the_constraint_and_rewrites_not_valid_then_validate() -> None:
    (finding,) = lint("select 1;\nalter table orders add foreign key (customer_id) references customers (id);",
                      only="L108")
    assert (finding.line, finding.column, finding.severity) == (2, 24, "error")
    assert finding.rewrite == "\n".join([
        "-- checks new rows only: no scan, a brief lock",
        ("ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) "
        "REFERENCES customers (id) NOT VALID;"),
        "-- in a later migration (its own transaction): scans without blocking writes",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
    ])


def test_a_references_column_becomes_a_column_plus_a_not_valid_constraint() -> None:
    (finding,) = lint("alter table orders add column customer_id bigint references customers on delete cascade;",
                      only="L108")
    assert finding.rewrite == "\n".join([
        "-- checks new rows only: no scan, a brief lock",
        ("ALTER TABLE orders ADD COLUMN customer_id bigint, ADD CONSTRAINT orders_customer_id_fkey "
        "FOREIGN KEY (customer_id) REFERENCES customers ON DELETE CASCADE NOT VALID;"),
        "-- in a later migration (its own transaction): scans without blocking writes",
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;",
    ])
