"""L107 adding-not-nullable-field."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table user_data alter column email set not null;",  # the guide's dangerous example
    ("update user_data set email = 'unknown@example.com' where email is null;\n"
    "alter table user_data alter column email set not null;"),  # cleaning the data first does not avoid the scan
    "alter table t add constraint t_email_nn not null email;",  # PostgreSQL 18's form
    ("alter table t add constraint c check (email is not null) not valid;\n"
    "alter table t alter column email set not null;"),  # not validated yet
    "alter table t validate constraint t_email_fkey;\nalter table t alter column email set not null;",
])
def test_fires_on_set_not_null_of_an_existing_table(sql: str) -> None:
    assert len(hits(sql, "L107")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("create table t (email text);\nalter table t alter column email set not null;", ()),
    ("alter table t alter column email set not null;", ("public.t",)),
    ("alter table t add constraint t_email_nn not null email not valid;", ()),
    ("alter table t alter column email drop not null;", ()),
    # the safe sequence's second migration: VALIDATE the CHECK added earlier, then SET NOT NULL, then drop it
    (("alter table t validate constraint t_email_not_null;\nalter table t alter column email set not null;\n"
     "alter table t drop constraint t_email_not_null;"), ()),
    (("alter table t add constraint c check (email is not null) not valid;\nalter table t validate constraint c;\n"
     "alter table t alter column email set not null;"), ()),
])
def test_does_not_fire_on_new_tables_or_a_not_null_a_validated_check_proves(
        sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L107", new_tables=new_tables) == []


def test_points_at_the_table_and_rewrites_as_check_not_valid_validate_set_not_null() -> None:
    (finding,) = lint("select 1;\nalter table user_data alter column email set not null;", only="L107")
    assert (finding.line, finding.column, finding.severity) == (2, 13, "error")
    assert finding.message.startswith("SET NOT NULL on public.user_data.email scans the whole table")
    assert finding.rewrite == "\n".join([
        "-- migration 1: the CHECK is added without scanning the table",
        "ALTER TABLE user_data ADD CONSTRAINT user_data_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
        "-- migration 2 (its own transaction): validating scans the table but lets reads and writes go on",
        "ALTER TABLE user_data VALIDATE CONSTRAINT user_data_email_not_null;",
        "-- then: the validated CHECK proves the column NOT NULL, so no scan",
        "ALTER TABLE user_data ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE user_data DROP CONSTRAINT user_data_email_not_null;",
    ])


def test_before_postgresql_12_there_is_no_rewrite_but_a_maintenance_window() -> None:
    sql = "alter table t add constraint c check (email is not null) not valid;\nalter table t validate constraint c;\n" \
        "alter table t alter column email set not null;"
    (finding,) = lint(sql, only="L107", pg_version=11)
    assert finding.rewrite is None
    assert "maintenance window" in finding.message
