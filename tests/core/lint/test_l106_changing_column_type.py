"""L106 changing-column-type."""

from __future__ import annotations

import pytest

from tests.core.lint.lint_support import hits, lint


@pytest.mark.parametrize("sql", [
    "alter table user_settings alter column setting_value type integer using setting_value::integer;",  # the guide
    "alter table t alter column c type bigint;",
    "alter table t alter column c set data type timestamptz;",
    "alter table t alter column c type text using c::text || '';",  # a real conversion
    "alter table t alter column c type varchar(20)[];",
    "alter table t add column c varchar(50);\nalter table t alter column c type varchar(20);",  # narrower
    "alter table t add column c int;\nalter table t alter column c type text;",  # int -> text rewrites
    "alter table t add column c numeric(10, 2);\nalter table t alter column c type numeric(12, 4);",  # new scale
    "alter table t add column c inet;\nalter table t alter column c type cidr;",
])
def test_fires_on_a_type_change_that_rewrites(sql: str) -> None:
    assert len(hits(sql, "L106")) == 1


@pytest.mark.parametrize(("sql", "new_tables"), [
    ("alter table t alter column c type text;", ()),  # varchar -> text, if it was varchar: benefit of the doubt
    ("alter table t alter column c type varchar(100);", ()),
    ("alter table t alter column c type numeric(12, 2);", ()),
    ("alter table t alter column c type inet;", ()),
    ("alter table t add column c varchar(50);\nalter table t alter column c type text;", ()),
    ("alter table t add column c varchar(50);\nalter table t alter column c type varchar(100);", ()),
    ("alter table t add column c varchar(50);\nalter table t alter column c type varchar;", ()),
    ("alter table t add column c numeric(10, 2);\nalter table t alter column c type numeric(12, 2);", ()),
    ("alter table t add column c numeric(10, 2);\nalter table t alter column c type numeric;", ()),
    ("alter table t add column c cidr;\nalter table t alter column c type inet;", ()),
    ("alter table t add column c varchar(50);\nalter table t alter column c type text using c::text;", ()),
    ("create table t (c int);\nalter table t alter column c type bigint;", ()),
    ("alter table t alter column c type bigint;", ("public.t",)),
])
def test_does_not_fire_on_binary_compatible_changes_or_new_tables(sql: str, new_tables: tuple[str, ...]) -> None:
    assert hits(sql, "L106", new_tables=new_tables) == []


def test_points_at_the_new_type_and_rewrites_as_expand_and_contract() -> None:
    (finding,) = lint("select 1;\nalter table accounts alter column balance type bigint;", only="L106")
    assert (finding.line, finding.column, finding.severity) == (2, 48, "error")
    assert finding.rewrite == "\n".join([
        "-- expand: a new column of the new type",
        "ALTER TABLE accounts ADD COLUMN balance_new bigint;",
        "-- keep it in step: a trigger converts every write of balance",
        ("CREATE FUNCTION accounts_balance_new_sync() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  IF TG_OP = 'INSERT' OR NEW.balance IS DISTINCT FROM OLD.balance THEN\n"
        "    NEW.balance_new := CAST(NEW.balance AS bigint);\n  END IF;\n  RETURN NEW;\nEND\n$$;"),
        ("CREATE TRIGGER accounts_balance_new_sync BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW "
        "EXECUTE FUNCTION accounts_balance_new_sync();"),
        "-- backfill the existing rows in batches (by key range, each batch its own transaction)",
        "UPDATE accounts SET balance_new = CAST(balance AS bigint) WHERE balance_new IS NULL AND balance IS NOT NULL;",
        "-- deploy code that reads and writes balance_new; then, in a migration marked `-- Phase: contract`:",
        "DROP TRIGGER accounts_balance_new_sync ON accounts;",
        "DROP FUNCTION accounts_balance_new_sync();",
        "ALTER TABLE accounts DROP COLUMN balance;",
    ])


def test_the_using_expression_is_the_conversion() -> None:
    (finding,) = lint("alter table t alter column c type integer using nullif(c, '')::integer;", only="L106")
    assert finding.rewrite is not None
    assert "NEW.c_new := CAST(NULLIF(new.c, '') AS integer);" in finding.rewrite
    assert "UPDATE t SET c_new = CAST(NULLIF(c, '') AS integer) WHERE" in finding.rewrite
