"""L110 validate-in-same-transaction."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint

ADD_FK = "alter table t add constraint fk foreign key (a) references u not valid;\n"


@pytest.mark.parametrize("sql", [
    ADD_FK + "alter table t validate constraint fk;",
    "alter table t add constraint positive check (a > 0) not valid;\nalter table t validate constraint positive;",
    "alter table t add check (a > 0) not valid;\nalter table t validate constraint t_a_check;",  # PostgreSQL's name
    "alter table t add foreign key (a, b) references u not valid;\nalter table t validate constraint t_a_b_fkey;",
    "-- Transaction: none\nbegin;\n" + ADD_FK + "alter table t validate constraint fk;\ncommit;",
])
def test_fires_on_a_validate_in_the_transaction_of_its_not_valid_add(sql: str) -> None:
    assert len(hits(sql, "L110")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table t validate constraint fk;", ()),  # added by an earlier migration
    ("-- Transaction: none\n" + ADD_FK + "alter table t validate constraint fk;", ()),  # two transactions
    ("-- Transaction: none\nbegin;\n" + ADD_FK + "commit;\nalter table t validate constraint fk;", ()),
    (ADD_FK + "alter table other validate constraint fk;", ()),
    ("alter table t add constraint fk foreign key (a) references u;\nalter table t validate constraint fk;", ()),
    ("create table t (a int);\n" + ADD_FK + "alter table t validate constraint fk;", ()),
    (ADD_FK + "alter table t validate constraint fk;", ("public.t",)),
])
def test_does_not_fire_when_the_validate_has_its_own_transaction(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L110", new_tables=new_tables) == []


def test_points_at_the_table_and_moves_the_validate_to_a_later_migration() -> None:
    (finding,) = lint(ADD_FK + "alter table t validate constraint fk;", only="L110")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "warning")
    assert finding.rewrite == "-- in a later migration (its own transaction):\nALTER TABLE t VALIDATE CONSTRAINT fk;"
